"""The event log: who did what to which account, when and from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    # Stable dotted codes (`accounts.signin.success`): reports and alerts filter on them.
    code = models.CharField(_("code"), max_length=100, db_index=True)
    # related_name="+": the log is read from here, never from an account's side.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte concerné"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The identifier as typed or as it was: kept when there is no account, or no longer one.
    subject_label = models.CharField(_("identifiant concerné"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject", "-at"], name="audit_event_subject_at")]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def __str__(self) -> str:
        return f"{self.code} {self.subject_label}".strip()
