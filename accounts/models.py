"""Accounts: one row per person who signs in through Guichet, whatever directory holds them."""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp import models as otp_totp
from encrypted_fields.fields import EncryptedCharField
from phonenumber_field.modelfields import PhoneNumberField

from audit.keyed import keyed_hash
from institutions.models import Institution, Platform, Public

RECONFIRM_CHANNELS_AFTER = timedelta(days=180)


def normalize_identifier(identifier: str) -> str:
    return (identifier or "").strip().lower()


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, identifier: str | None) -> "Account":
        return self.get(identifier=normalize_identifier(identifier or ""))

    def create_user(self, identifier: str, password: str | None = None, **fields: Any) -> "Account":
        account = self.model(identifier=normalize_identifier(identifier), **fields)
        if password:
            account.set_password(password)
        else:
            account.set_unusable_password()
        account.save()
        return account

    def create_superuser(self, identifier: str, password: str | None = None, **fields: Any) -> "Account":
        if "institution" not in fields:
            fields["institution"] = Institution.objects.order_by("order").first()
        return self.create_user(identifier, password, is_staff=True, is_superuser=True, **fields)


# django-otp ships no types: its devices' reverse managers (totp_devices, …) are unknown to
# the django-stubs plugin.
class Account(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    ACTIVE, DISABLED, EXPIRED = "active", "disabled", "expired"
    STATUS_CHOICES = [(ACTIVE, _("actif")), (DISABLED, _("désactivé")), (EXPIRED, _("expiré"))]

    # The full address or the login, lower case; what the person types to sign in.
    identifier = models.CharField(_("identifiant"), max_length=254, unique=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="accounts")
    public = models.ForeignKey(Public, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts")
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts")
    display_name = models.CharField(_("nom affiché"), max_length=200, blank=True)
    secondary_email = models.EmailField(_("adresse de secours"), blank=True)
    secondary_email_verified_at = models.DateTimeField(_("adresse de secours vérifiée le"), null=True, blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True)
    mobile_verified_at = models.DateTimeField(_("mobile vérifié le"), null=True, blank=True)
    # A channel added without a second factor serves recovery only 24 hours later, so a
    # thief who has the password alone cannot add their own and reset at once.
    secondary_email_usable_from = models.DateTimeField(null=True, blank=True)
    mobile_usable_from = models.DateTimeField(null=True, blank=True)
    channels_confirmed_at = models.DateTimeField(_("coordonnées confirmées le"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=STATUS_CHOICES, default=ACTIVE)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    # The directory entry this row mirrors ("database" accounts hold their own password).
    directory = models.CharField(_("annuaire"), max_length=20, default="database")
    affiliation = models.CharField(_("affiliation"), max_length=100, blank=True)
    previous_login = models.DateTimeField(_("connexion précédente"), null=True, blank=True)
    # Whether a confirmed second factor (authenticator, passkey, recovery codes) exists, kept
    # by the device signals below: a sign-in reads it with the row instead of asking every
    # device table. Never edited by hand (the admin shows it read-only).
    has_second_factor = models.BooleanField(_("second facteur"), default=False, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    is_staff = models.BooleanField(_("administrateur"), default=False)
    is_support_agent = models.BooleanField(_("agent du support"), default=False)
    is_hr_approver = models.BooleanField(_("valideur RH"), default=False)
    is_manager = models.BooleanField(_("responsable (peut demander une réinitialisation)"), default=False)

    objects: ClassVar[AccountManager] = AccountManager()

    USERNAME_FIELD = "identifier"
    EMAIL_FIELD = "secondary_email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")

    def __str__(self) -> str:
        return self.identifier

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None and list(fields) == ["last_login"]:
            # Django's update_last_login at sign-in: previous_login (set by signin.complete)
            # rides along, so a sign-in updates the row once.
            kwargs["update_fields"] = ["last_login", "previous_login"]
        super().save(*args, **kwargs)

    @property  # Django's is_active is a field; here the status decides
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == self.ACTIVE

    @property
    def has_verified_secondary_email(self) -> bool:
        return bool(self.secondary_email and self.secondary_email_verified_at)

    @property
    def has_verified_mobile(self) -> bool:
        return bool(self.mobile and self.mobile_verified_at)

    def recovery_email(self, now: datetime | None = None) -> str:
        """The secondary address if it may receive a reset now, else ""."""
        now = now or timezone.now()
        usable = self.secondary_email_usable_from is None or self.secondary_email_usable_from <= now
        return self.secondary_email if self.has_verified_secondary_email and usable else ""

    def recovery_mobile(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        usable = self.mobile_usable_from is None or self.mobile_usable_from <= now
        return str(self.mobile) if self.has_verified_mobile and usable else ""

    def needs_channel_reconfirmation(self, now: datetime | None = None) -> bool:
        """Recovery channels are reconfirmed every 180 days (asked gently on « Mes services »)."""
        verified = [d for d in (self.secondary_email_verified_at, self.mobile_verified_at) if d]
        if not verified:
            return False
        last = self.channels_confirmed_at or max(verified)
        return (now or timezone.now()) - last >= RECONFIRM_CHANNELS_AFTER

    @property
    def is_privileged(self) -> bool:
        """Staff roles whose assisted reset needs a second agent's approval."""
        return self.is_staff or self.is_superuser or self.is_support_agent or self.is_hr_approver or self.is_manager

    def get_full_name(self) -> str:
        return self.display_name or self.identifier

    def get_short_name(self) -> str:
        return self.display_name or self.identifier


class Throttle(models.Model):
    """Stored state of throttle.State for one account key or one IP address.

    The key is an HMAC of what was typed or of the address, never the text itself:
    people sometimes type their password into the identifier field.
    """

    # DEVICE: one trusted browser's own ladder for one account (OWASP device cookies).
    ACCOUNT, IP, DEVICE = "account", "ip", "device"
    # Windowed counters of recovery (requests and wrong codes, per identifier and per network).
    REQUEST_ID, REQUEST_NET, CODE_ID, CODE_NET = "req_id", "req_net", "code_id", "code_net"
    KINDS = (ACCOUNT, IP, DEVICE, REQUEST_ID, REQUEST_NET, CODE_ID, CODE_NET)

    kind = models.CharField(max_length=10, choices=[(k, k) for k in KINDS])
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True)
    paused_until = models.DateTimeField(null=True)
    window_start = models.DateTimeField(null=True)
    recent = models.JSONField(default=list)
    # Failures since the last success or reset, never forgotten with time (the hard cap).
    consecutive = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="throttle_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key[:8]}"


class UserSession(models.Model):
    """One signed-in browser, for « Mes connexions ». Holds no session key: the session
    carries our random `sid`, and a revoked row ends that session at its next request."""

    sid = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_prefix = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser that already signed in to this account (hash of its device cookie)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="devices")
    device_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "device_hash"], name="known_device_once")]

    def __str__(self) -> str:
        return f"{self.account} {self.user_agent[:40]}"


# django-otp ships no types: its Device and mixins are Any to mypy.
class RecoveryCodeDevice(ThrottlingMixin, Device):  # type: ignore[misc]
    """Ten single-use recovery codes, stored as keyed hashes (never the codes themselves)."""

    class Meta:
        verbose_name = _("codes de secours")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: str) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = self.codes.filter(digest=recovery_digest(token)).first()
        if used is None:
            self.throttle_increment()
            return False
        used.delete()
        self.throttle_reset()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"code {self.pk}"


def recovery_digest(code: str) -> str:
    # Keyed, so a copy of the database alone does not allow guessing the codes offline.
    normalized = "".join(c for c in (code or "").upper() if c.isalnum())
    return keyed_hash("guichet.recovery-code", normalized)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # untyped django-otp
    """An authenticator app, as django-otp's TOTPDevice but with its secret encrypted at rest.

    django-otp keeps the key in clear; whoever reads the database (a backup, a replica) could
    then make codes. Here the key is a Fernet token (settings.SALT_KEY); the behaviour —
    verification with replay guard and drift, throttling, the otpauth:// URL — is django-otp's
    own, borrowed method by method.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices")
    key = EncryptedCharField(max_length=80, validators=[otp_totp.key_validator], default=otp_totp.default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = otp_totp.TOTPDevice.bin_key
    verify_token = otp_totp.TOTPDevice.verify_token
    get_throttle_factor = otp_totp.TOTPDevice.get_throttle_factor
    config_url = otp_totp.TOTPDevice.config_url
    _read_str_from_settings = otp_totp.TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):  # type: ignore[misc]  # untyped django-otp
        verbose_name = _("application d'authentification")


# --- Account.has_second_factor, kept by every device model's saves and deletes ---------------

# Every model django-otp counts as a second factor (user_has_device asks them all).
SECOND_FACTOR_MODELS = (
    "accounts.TOTPDevice",
    "accounts.RecoveryCodeDevice",
    "otp_totp.TOTPDevice",
    "django_otp_webauthn.WebAuthnCredential",
)
_CONFIRMED_AT_LOAD = "_guichet_confirmed_at_load"


def refresh_second_factor(user_id: int) -> bool:
    """Recompute the flag from the device tables (a device appeared, was confirmed or went)."""
    from django_otp import device_classes

    has = any(model.objects.filter(user_id=user_id, confirmed=True).exists() for model in device_classes())
    Account.objects.filter(pk=user_id).exclude(has_second_factor=has).update(has_second_factor=has)
    return has


def _device_loaded(instance: Device, **kwargs: object) -> None:
    # __dict__, not the attribute: a deferred field must not cost a query per row loaded.
    instance.__dict__[_CONFIRMED_AT_LOAD] = instance.__dict__.get("confirmed")


def _device_saved(instance: Device, created: bool, **kwargs: object) -> None:
    # Each code checked saves its device (drift, replay guard): only a change of
    # `confirmed` (or a new device) can change the flag, so only then are the tables asked.
    if created or instance.__dict__.get(_CONFIRMED_AT_LOAD) != instance.confirmed:
        refresh_second_factor(instance.user_id)
    instance.__dict__[_CONFIRMED_AT_LOAD] = instance.confirmed


def _device_deleted(instance: Device, **kwargs: object) -> None:
    if instance.user_id is not None:
        refresh_second_factor(instance.user_id)


for _model in SECOND_FACTOR_MODELS:
    # Explicit senders: a receiver for every model would stop Django's fast deletes everywhere.
    signals.post_init.connect(_device_loaded, sender=_model, weak=False)
    signals.post_save.connect(_device_saved, sender=_model, weak=False)
    signals.post_delete.connect(_device_deleted, sender=_model, weak=False)
