from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    name = "orientation"
    verbose_name = _("Orientation")

    def ready(self) -> None:
        # accounts names no page above it: the home page and a platform's page are
        # where sign-in may lead (`next`), home where signing out ends.
        from accounts import destinations

        destinations.register_post_login_route("home", "platform")
        destinations.register_named(destinations.HOME, "home")
