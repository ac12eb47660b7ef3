from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailconfigConfig(AppConfig):
    name = "mailconfig"
    verbose_name = _("Logiciels de messagerie")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the signing check
