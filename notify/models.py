"""The outbox: every message Guichet sends is first a row here.

The row is the message's whole state (who, what, how many tries, when next), so a crashed
worker, a down SMTP server or a lost queue entry only delays a message, never loses it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField


class Message(models.Model):
    EMAIL, SMS = "email", "sms"
    CHANNEL_CHOICES = [(EMAIL, _("courriel")), (SMS, _("SMS"))]
    QUEUED, SENDING, SENT, FAILED, EXPIRED = "queued", "sending", "sent", "failed", "expired"
    STATUS_CHOICES = [
        (QUEUED, _("en attente")),
        (SENDING, _("en cours d'envoi")),
        (SENT, _("envoyé")),
        (FAILED, _("abandonné")),
        (EXPIRED, _("périmé, réémis")),
    ]

    channel = models.CharField(_("canal"), max_length=10, choices=CHANNEL_CHOICES)
    to = models.CharField(_("destinataire"), max_length=254)
    # A subject or body may carry a reset code or link: encrypted at rest (settings.SALT_KEY),
    # never shown in the admin, and emptied (NULL) as soon as the message is delivered.
    subject = EncryptedCharField(_("objet"), max_length=255, blank=True, null=True)
    body_text = EncryptedTextField(_("texte"), blank=True, null=True)
    body_html = EncryptedTextField(_("HTML"), blank=True, null=True)
    # A notice queued unrendered (actions.queue_email_later) is rendered by the worker just
    # before it is sent: the template's name, and its context as JSON, encrypted like the body
    # and emptied with it.
    template = models.CharField(_("modèle"), max_length=100, blank=True)
    context = EncryptedTextField(_("contexte"), blank=True, null=True)
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
    # The requester's network (IPv4 /24, IPv6 /64) for the per-network SMS quota; "" if none.
    network = models.CharField(_("réseau"), max_length=64, blank=True, db_index=True)
    # A message that opens an account (a reset code) is worth nothing once the code expired:
    # the worker does not send it late but asks its app to re-issue (notify.actions.EXPIRING).
    expires_at = models.DateTimeField(_("ne plus envoyer après"), null=True, blank=True)
    # What the app needs to re-issue it (ids, the site's root URL); never a secret.
    reference = models.JSONField(_("référence"), default=dict, blank=True)
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
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_message_due"),
            # The SMS quotas count by number and by account over sliding windows, on every SMS.
            models.Index(fields=["to", "created_at"], name="notify_message_to_at"),
            models.Index(fields=["account", "created_at"], name="notify_message_account_at"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.get_channel_display()})"
