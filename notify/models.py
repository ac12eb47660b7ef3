"""The outbox: every message Guichet sends is first a row here.

The row is the message's whole state (who, what, how many tries, when next), so a crashed
worker, a down SMTP server or a lost queue entry only delays a message, never loses it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    EMAIL, SMS = "email", "sms"
    CHANNEL_CHOICES = [(EMAIL, _("courriel")), (SMS, _("SMS"))]
    QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
    STATUS_CHOICES = [
        (QUEUED, _("en attente")),
        (SENDING, _("en cours d'envoi")),
        (SENT, _("envoyé")),
        (FAILED, _("abandonné")),
    ]

    channel = models.CharField(_("canal"), max_length=10, choices=CHANNEL_CHOICES)
    to = models.CharField(_("destinataire"), max_length=254)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("langue"), max_length=8)
    # What the message is for, as a dotted code (`accounts.new_device`).
    purpose = models.CharField(_("objet du message"), max_length=100)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("état"), max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    # The exception's class and its first words; never the body, which may hold a link or code.
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_message_due")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.purpose} ({self.get_channel_display()})"
