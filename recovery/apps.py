from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = _("Récupération de compte")

    def ready(self) -> None:
        from accounts import destinations
        from notify.actions import EXPIRING

        from .actions import reissue_expired

        # A code that would arrive expired is re-issued rather than sent.
        EXPIRING["recovery.code"] = reissue_expired
        # Sign-in may lead back to these pages (`next`); « Mot de passe oublié ? » starts here.
        destinations.register_post_login_route(
            "contacts", "support-desk", "support-approvals", "hr-requests", "hr-request-new"
        )
        destinations.register_named(destinations.PASSWORD_RESET, "password-reset")
