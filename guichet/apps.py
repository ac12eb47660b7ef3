from django.apps import AppConfig


class GuichetConfig(AppConfig):
    """The project itself as an app: its start-up checks and the generate_keys command."""

    name = "guichet"
    verbose_name = "Guichet"

    def ready(self) -> None:
        from accounts import destinations

        from . import checks  # noqa: F401

        # The sign-in page shows each institution's logo (guichet/identity.py serves them).
        destinations.register_named(destinations.INSTITUTION_LOGO, "identity-logo")
