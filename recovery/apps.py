from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = _("Récupération de compte")

    def ready(self) -> None:
        from notify.actions import EXPIRING

        from .actions import reissue_expired

        # A code that would arrive expired is re-issued rather than sent.
        EXPIRING["recovery.code"] = reissue_expired
