"""Support tickets, their messages and screenshots.

Nothing here opens an account, but the tracking link reads a ticket without signing in: it
is stored only as a keyed hash, like every secret in Guichet. Texts are stored as typed and
rendered with autoescape everywhere (pages, e-mails, admin); HTML that reaches us from a
helpdesk is reduced to text by nh3 before it is stored.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Platform

from . import priority as rules


def _screenshot_storage() -> FileSystemStorage:

    # No base_url: nothing serves this directory; views read files after checking who asks.
    return FileSystemStorage(location=settings.GUICHET_SUPPORT_FILES, base_url=None)


class Ticket(models.Model):
    NATURES = [
        ("mot-de-passe-perdu", _("Mot de passe perdu")),
        ("connexion-suspendue", _("Connexion suspendue")),
        ("erreur-certificat", _("Erreur de certificat")),
        ("bouton-sans-effet", _("Bouton sans effet")),
        ("client-messagerie", _("Client de messagerie")),
        ("message-suspect", _("Message suspect")),
        ("autre", _("Autre")),
    ]
    NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED = "nouveau", "en-cours", "en-attente", "resolu", "clos"
    STATUSES = [
        (NEW, _("Nouveau")),
        (IN_PROGRESS, _("En cours")),
        (WAITING, _("En attente de l'utilisateur")),
        (RESOLVED, _("Résolu")),
        (CLOSED, _("Clos")),
    ]
    OPEN_STATUSES = (NEW, IN_PROGRESS, WAITING)
    # The SLA clock stops while these last.
    CLOCK_STOPPED = (WAITING, RESOLVED, CLOSED)
    URGENCIES = [(1, _("Très basse")), (2, _("Basse")), (3, _("Moyenne")), (4, _("Haute")), (5, _("Très haute"))]
    IMPACTS = URGENCIES
    PRIORITIES = [*URGENCIES, (6, _("Majeure"))]
    EMAIL, SMS = "email", "sms"
    CONTACT_CHANNELS = [(EMAIL, _("Adresse électronique personnelle")), (SMS, _("Téléphone mobile (SMS)"))]

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    institution = models.ForeignKey(
        Institution, verbose_name=_("établissement"), null=True, blank=True, on_delete=models.SET_NULL
    )
    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), null=True, blank=True, on_delete=models.SET_NULL
    )
    identifier = models.CharField(_("identifiant"), max_length=254)
    nature = models.CharField(_("nature du problème"), max_length=30, choices=NATURES)
    occurred_at = models.DateTimeField(_("heure approximative"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    urgent = models.BooleanField(_("bloque un travail urgent"), default=False)
    urgency = models.PositiveSmallIntegerField(_("urgence"), choices=URGENCIES, default=rules.NORMAL)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=IMPACTS, default=rules.DEFAULT_IMPACT)
    priority = models.PositiveSmallIntegerField(_("priorité"), choices=PRIORITIES, default=2, db_index=True)
    contact_channel = models.CharField(_("canal de contact"), max_length=10, choices=CONTACT_CHANNELS)
    contact = models.CharField(_("contact"), max_length=254)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    # What the page that sent the person knew (error, page, browser…), signed, then confirmed.
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    # An incident of the status app this ticket was added to (its reference, opaque here).
    incident_ref = models.CharField(_("incident"), max_length=100, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=STATUSES, default=NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Keyed hash of the tracking link's secret; the secret itself is only in the message sent.
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("ouvert le"), default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    # SLA clock: opening-hours seconds counted so far, and since when it runs (None: stopped).
    sla_seconds = models.FloatField(default=0.0, editable=False)
    sla_running_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Hand-off to the institution's helpdesk (GLPI…): its ticket id once created.
    helpdesk_ref = models.CharField(_("ticket dans l'outil de l'établissement"), max_length=50, blank=True)
    handoff_attempts = models.PositiveIntegerField(default=0, editable=False)
    handoff_next_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    handoff_error = models.CharField(_("dernière erreur de transmission"), max_length=300, blank=True)

    class Meta:
        ordering = ["-priority", "created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def sla_breached(self) -> bool:
        """Past the first-response target with no response yet, now (the desk's queue shows it)."""
        from . import sla  # sla reads this model: imported when used

        return sla.breached(self, timezone.now())


class TicketMessage(models.Model):
    PERSON, AGENT, NOTE, HELPDESK = "person", "agent", "note", "helpdesk"
    KINDS = [
        (PERSON, _("la personne")),
        (AGENT, _("réponse du support")),
        (NOTE, _("note interne")),
        (HELPDESK, _("réponse de l'outil de l'établissement")),
    ]

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("type"), max_length=10, choices=KINDS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("texte"))
    created_at = models.DateTimeField(default=timezone.now)
    # The helpdesk's follow-up id: pulled ones are not pulled twice, pushed ones not echoed back.
    remote_id = models.CharField(max_length=50, blank=True)
    pushed = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message de ticket")
        verbose_name_plural = _("messages de ticket")

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.get_kind_display()}"

    @property
    def public(self) -> bool:
        return self.kind != self.NOTE


class Screenshot(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="screenshots")
    # Re-encoded by Pillow (support/images.py): a fresh PNG or JPEG without metadata.
    file = models.FileField(upload_to="screenshots/", storage=_screenshot_storage)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    remote_id = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("capture d'écran")
        verbose_name_plural = _("captures d'écran")

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.pk}"
