"""Probes of the mail platforms, their results, and the incidents people read about.

A platform's state is the worst of its incidents under way: panne > dégradé > maintenance;
none means opérationnel. Probes never set a state directly: after N consecutive failures
they open an incident (automatic, « dégradé ») and close it when every probe passes again,
so what the page says always has a title, a start and an end.
"""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Platform, Translated

OPERATIONAL, DEGRADED, OUTAGE, MAINTENANCE = "operational", "degraded", "outage", "maintenance"
STATE_CHOICES = [
    (OPERATIONAL, _("opérationnel")),
    (DEGRADED, _("dégradé")),
    (OUTAGE, _("panne")),
    (MAINTENANCE, _("maintenance")),
]
# Worst first: the state shown when several incidents overlap.
SEVERITY = {OUTAGE: 3, DEGRADED: 2, MAINTENANCE: 1, OPERATIONAL: 0}


class ProbeTarget(models.Model):
    HTTPS, IMAP, SMTP, IMAP_LOGIN = "https", "imap", "smtp", "imap_login"
    KIND_CHOICES = [
        (HTTPS, _("webmail (HTTPS)")),
        (IMAP, _("IMAP (TLS)")),
        (SMTP, _("SMTP (TLS)")),
        (IMAP_LOGIN, _("connexion IMAP avec un compte de test")),
    ]
    TLS, STARTTLS = "tls", "starttls"
    TLS_CHOICES = [(TLS, _("TLS dès la connexion")), (STARTTLS, "STARTTLS")]
    PASSWORD, XOAUTH2 = "password", "xoauth2"
    AUTH_CHOICES = [(PASSWORD, _("mot de passe")), (XOAUTH2, "XOAUTH2")]

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="probe_targets")
    kind = models.CharField(_("sonde"), max_length=12, choices=KIND_CHOICES)
    host = models.CharField(_("serveur"), max_length=253)
    port = models.PositiveIntegerField(_("port"))
    path = models.CharField(_("chemin (HTTPS)"), max_length=500, default="/", blank=True)
    tls = models.CharField(_("chiffrement"), max_length=10, choices=TLS_CHOICES, default=TLS)
    # The probe account (imap_login): its identifier, and a file holding its password or token.
    # The secret itself never enters the database.
    login = models.CharField(_("compte de test"), max_length=254, blank=True)
    secret_file = models.CharField(_("fichier du secret"), max_length=500, blank=True)
    auth = models.CharField(_("authentification"), max_length=10, choices=AUTH_CHOICES, default=PASSWORD)
    enabled = models.BooleanField(_("active"), default=True)
    # Created from the platform's webmail address; kept in step with it.
    automatic = models.BooleanField(_("automatique"), default=False, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0, editable=False)
    # The certificate expiry already announced to the administrators (one alert per certificate).
    cert_alerted_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["platform__order", "kind", "host"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "kind", "host", "port"], name="status_target_unique")
        ]
        verbose_name = _("sonde")
        verbose_name_plural = _("sondes")

    def __str__(self) -> str:
        return f"{self.platform} · {self.get_kind_display()} · {self.host}:{self.port}"


class ProbeResult(models.Model):
    target = models.ForeignKey(ProbeTarget, on_delete=models.CASCADE, related_name="results")
    checked_at = models.DateTimeField(_("vérifié le"), default=timezone.now)
    ok = models.BooleanField(_("réussi"))
    latency_ms = models.PositiveIntegerField(_("latence (ms)"), null=True, blank=True)
    # A stable code (timeout, refused, cert_expired, cert_name, cert_untrusted, tls, protocol,
    # http_status, login) and a short detail; never a secret.
    error = models.CharField(_("erreur"), max_length=40, blank=True)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    banner = models.CharField(_("bannière"), max_length=300, blank=True)
    cert_not_after = models.DateTimeField(_("certificat valable jusqu'au"), null=True, blank=True)
    cert_days_left = models.IntegerField(_("jours restants du certificat"), null=True, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["target", "-checked_at"], name="status_result_latest")]
        verbose_name = _("résultat de sonde")
        verbose_name_plural = _("résultats de sonde")

    def __str__(self) -> str:
        return f"{self.target} @ {self.checked_at:%Y-%m-%d %H:%M}: {'ok' if self.ok else self.error}"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def under_way(self, at: datetime | None = None) -> "IncidentQuerySet":
        at = at or timezone.now()
        return self.filter(starts_at__lte=at).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def overlapping(self, start: datetime, end: datetime) -> "IncidentQuerySet":
        return self.filter(starts_at__lt=end).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))


class Incident(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="incidents")
    state = models.CharField(
        _("état"), max_length=12, choices=[c for c in STATE_CHOICES if c[0] != OPERATIONAL], default=DEGRADED
    )
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    text_fr = models.TextField(_("texte (français)"), blank=True)
    text_en = models.TextField(_("texte (anglais)"), blank=True)
    starts_at = models.DateTimeField(_("début"), default=timezone.now)
    # Empty while under way; a planned maintenance has both ends in advance.
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    automatic = models.BooleanField(_("ouvert par les sondes"), default=False, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)

    title = Translated()
    text = Translated()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["platform", "starts_at"], name="status_incident_start")]
        verbose_name = _("incident ou maintenance")
        verbose_name_plural = _("incidents et maintenances")

    def __str__(self) -> str:
        return self.title_fr

    def under_way(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    posted_at = models.DateTimeField(_("publié le"), default=timezone.now)
    text_fr = models.TextField(_("texte (français)"))
    text_en = models.TextField(_("texte (anglais)"), blank=True)

    text = Translated()

    class Meta:
        ordering = ["-posted_at"]
        verbose_name = _("point d'étape")
        verbose_name_plural = _("points d'étape")

    def __str__(self) -> str:
        return f"{self.incident} · {self.posted_at:%Y-%m-%d %H:%M}"
