from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = _("État des services et sécurité")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
