from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Authentification unique")

    def ready(self) -> None:
        from . import logout  # noqa: F401 - connects the single-logout receiver
