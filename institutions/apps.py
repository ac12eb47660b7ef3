from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Établissements")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
