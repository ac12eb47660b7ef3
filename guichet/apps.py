from django.apps import AppConfig


class GuichetConfig(AppConfig):
    """The project itself as an app: its start-up checks and the generate_keys command."""

    name = "guichet"
    verbose_name = "Guichet"

    def ready(self) -> None:
        from . import checks  # noqa: F401
