from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Support sits above status: it plugs into status's extension points, never the
        # reverse. Suspicious-message reports become tickets; open incidents are offered
        # on the form (« Ajouter ma demande à cet incident »).
        from status import reports

        from . import incidents
        from .actions import file_suspicious_report

        reports.register_sink(file_suspicious_report)
        incidents.register(incidents.from_status)
