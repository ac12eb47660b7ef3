"""The worker's pulse: one row per periodic beat, read by /readyz on every node."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    # In the database rather than the cache: every node must see the same worker, and the
    # embedded default has no shared cache.
    name = models.CharField(_("nom"), max_length=50, primary_key=True)
    at = models.DateTimeField(_("dernier battement"), default=timezone.now)

    class Meta:
        verbose_name = _("battement")
        verbose_name_plural = _("battements")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at.isoformat()}"
