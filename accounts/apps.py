from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        # A disabled account loses its sessions and tokens whoever disabled it.
        from . import destinations, revocation

        revocation.connect()
        # accounts' own pages `next` may lead to; the apps above register theirs.
        destinations.register_post_login_route("connections", "security", "totp", "admin:index")
