"""Password recovery: codes and links sent to a verified channel, and assisted resets."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.core.files.storage import FileSystemStorage


class ResetCode(models.Model):
    """A link (by e-mail) or an 8-character code (SMS, printed) that lets one person set a new password.

    Only keyed hashes are stored. Five wrong entries, expiry, use, or a newer request
    end it. `origin` says which path issued it (self-service, support, HR).
    """

    EMAIL, SMS, PRINTED = "email", "sms", "printed"
    SELF, SUPPORT, HR = "self", "support", "hr"
    MAX_ATTEMPTS = 5

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_codes")
    channel = models.CharField(max_length=10, choices=[(EMAIL, "email"), (SMS, "sms"), (PRINTED, "printed")])
    origin = models.CharField(max_length=10, default=SELF, choices=[(SELF, "self"), (SUPPORT, "support"), (HR, "hr")])
    code_digest = models.CharField(max_length=64)
    link_digest = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    # used, expired, killed (too many wrong entries), replaced (a newer request)
    end_reason = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "ended_at"])]
        verbose_name = _("code de réinitialisation")
        verbose_name_plural = _("codes de réinitialisation")

    def __str__(self) -> str:
        return f"{self.account} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.ended_at is None and self.expires_at > (now or timezone.now())


class RequestLog(models.Model):
    """Every reset request, matched or not, by keyed hashes: the per-account and per-IP limits
    count these rows, so an unknown identifier is limited exactly like a real one."""

    identifier_digest = models.CharField(max_length=64, db_index=True)
    ip_digest = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class ResetRequest(models.Model):
    """A self-service reset request, written in the request's transaction like an outbox row.

    The queue only says "look at row N"; the minutely sweep processes whatever no worker
    finished, so a lost queue or a crashed worker delays a request and never loses it. What
    the person typed is kept only until the row is processed (then emptied).
    """

    identifier = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=10)
    contact = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    site = models.CharField(max_length=300, blank=True)  # the absolute root URL, for the link
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # done, or abandoned (the worker failed on it five times: the directory was down)
    outcome = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class ChannelChange(models.Model):
    """A new secondary address or mobile, waiting for the code sent to it."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_changes")
    channel = models.CharField(max_length=10, choices=[("email", "email"), ("sms", "sms")])
    new_value = models.CharField(max_length=254)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.account} {self.channel}"


# --- Assisted resets: the support desk, and HR on a manager's request ----------------------


class _Deadlined(Protocol):
    # Read-only members, so that each model's own constants and fields fit.
    @property
    def PENDING(self) -> str: ...

    @property
    def EXPIRED(self) -> str: ...

    @property
    def STATUS_CHOICES(self) -> Sequence[tuple[str, str | Promise]]: ...

    @property
    def status(self) -> str: ...

    @property
    def expires_at(self) -> datetime: ...


class DecidedBeforeDeadline:
    """A request that waits for a decision until `expires_at`: still pending past it, it is
    expired, without a job having to write so (support resets and HR requests alike)."""

    def state(self: _Deadlined, now: datetime | None = None) -> str:
        if self.status == self.PENDING and self.expires_at <= (now or timezone.now()):
            return self.EXPIRED
        return self.status

    def get_state_display(self: _Deadlined) -> str:
        return str(dict(self.STATUS_CHOICES)[DecidedBeforeDeadline.state(self)])


def _private_storage() -> "FileSystemStorage":
    from django.core.files.storage import FileSystemStorage

    # Under MEDIA_ROOT, which no URL serves: HR reads documents through an authenticated view.
    return FileSystemStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


class SupportReset(DecidedBeforeDeadline, models.Model):
    """A reset done at the support desk: the proofs the agent checked, their note, and how the
    person gets back in. A privileged account's reset waits for a second agent (PENDING)."""

    PENDING, ISSUED, REFUSED, EXPIRED = "pending", "issued", "refused", "expired"
    STATUS_CHOICES = [
        (PENDING, _("en attente d'un second agent")),
        (ISSUED, _("délivrée")),
        (REFUSED, _("refusée")),
        (EXPIRED, _("expirée")),
    ]
    CHANNEL_CHOICES = [
        (ResetCode.EMAIL, _("lien par courriel")),
        (ResetCode.SMS, _("code par SMS")),
        (ResetCode.PRINTED, _("code imprimé")),
    ]

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_resets", verbose_name=_("compte")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandée par")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvée ou refusée par"),
    )
    proofs = models.JSONField(_("vérifications faites"), default=list)  # slugs of institution.identity_checks
    note = models.TextField(_("note"))
    channel = models.CharField(_("moyen"), max_length=10, choices=CHANNEL_CHOICES)
    status = models.CharField(_("état"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reset_code = models.ForeignKey(ResetCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("réinitialisation par le support")
        verbose_name_plural = _("réinitialisations par le support")

    def __str__(self) -> str:
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M}"


class ManagerRequest(DecidedBeforeDeadline, models.Model):
    """A manager asks HR to reset a staff member's password; an HR approver decides."""

    PENDING, ISSUED, NEEDS_SUPPORT, REFUSED, EXPIRED = "pending", "issued", "support", "refused", "expired"
    STATUS_CHOICES = [
        (PENDING, _("en attente")),
        (ISSUED, _("approuvée, envoyée à la personne")),
        (NEEDS_SUPPORT, _("approuvée, à orienter vers le support")),
        (REFUSED, _("refusée")),
        (EXPIRED, _("expirée")),
    ]

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_requests", verbose_name=_("compte")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandée par")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    justification = models.TextField(_("justification"))
    # Saved under a random name; the type is the one read from the content, not the name.
    document = models.FileField(_("justificatif"), upload_to="hr-requests/", storage=_private_storage, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    channel = models.CharField(_("moyen"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reset_code = models.ForeignKey(ResetCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de réinitialisation par un responsable")
        verbose_name_plural = _("demandes de réinitialisation par un responsable")

    def __str__(self) -> str:
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M}"
