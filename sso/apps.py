from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Authentification unique")

    def ready(self) -> None:
        # The single-logout receiver, registered at start-up so a session ended before any
        # URL is resolved still tells its clients; the OIDC Client → Application sync.
        # Credentials end together: a reset or « Déconnecter partout » ends tokens and tickets.
        from accounts import destinations
        from accounts.revocation import credentials_revoked
        from institutions import loader

        from . import checks, registry, signals  # noqa: F401
        from .protocols.oidc import rules  # noqa: F401 - connects the Client → Application sync

        credentials_revoked.connect(signals.credentials_revoked, dispatch_uid="sso-credentials-revoked")
        # load_setup checks each client's config with its protocol's rules (sso.registry).
        loader.CLIENT_CONFIG_CHECK = registry.checked
        # « Mes services » is where a sign-in lands; the single sign-on end points send
        # people to Guichet's sign-in and expect them back, then on to a platform.
        destinations.register_post_login_route("services")
        destinations.register_named(destinations.SERVICES, "services")
        destinations.register_offsite_route("zimbra-open", "oidc-authorize", "saml-sso", "cas-login", "wsfed")
