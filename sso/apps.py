from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Authentification unique")

    def ready(self) -> None:
        # The single-logout receiver and every protocol's goodbye, registered at start-up so
        # a session ended before any URL is resolved still tells its clients.
        from . import cas_views, logout, oidc, saml_views  # noqa: F401
