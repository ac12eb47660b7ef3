"""Second factors: TOTP and recovery codes here; passkeys through django-otp-webauthn."""

import secrets

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device

from audit.actions import client_ip, record

from .. import events
from ..models import Account, RecoveryCode, RecoveryCodeDevice, TOTPDevice, recovery_digest
from . import throttling

REAUTH_AT = "guichet.reauth_at"
RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def has_fresh_password(request: HttpRequest) -> bool:
    at: float = request.session.get(REAUTH_AT, 0)
    return timezone.now().timestamp() - at <= float(settings.GUICHET_REAUTH_SECONDS)


def confirm_password(request: HttpRequest, account: Account, password: str) -> bool:
    """Re-authentication before sensitive changes; wrong passwords count like at sign-in."""
    now = timezone.now()
    ip = client_ip(request)
    gate = throttling.reserve(account.identifier, password, ip, now, check_address=False)
    if gate.status != "go":
        return False
    ok = authenticate(request, identifier=account.identifier, password=password, institution=account.institution)
    if ok is None or ok.pk != account.pk:
        record(events.REAUTH_FAILURE, subject=account, ip=ip)
        return False
    throttling.take_back(account.identifier, password, ip, gate)
    request.session[REAUTH_AT] = now.timestamp()
    return True


def start_totp(account: Account) -> TOTPDevice:
    """An unconfirmed authenticator; it counts only once a first code confirms it."""
    TOTPDevice.objects.filter(user=account, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(user=account, name="TOTP", confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    # config_url carries the issuer (OTP_TOTP_ISSUER) so apps show « Guichet: identifier ».
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@transaction.atomic
def confirm_totp(request: HttpRequest, account: Account, device: TOTPDevice, code: str) -> bool:
    if not device.verify_token((code or "").replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # The person just proved they hold it: this session counts as verified with it.
    otp_login(request, device)
    record(events.FACTOR_ADDED, actor=account, subject=account, ip=client_ip(request), factor="totp")
    return True


@transaction.atomic
def new_recovery_codes(request: HttpRequest, account: Account) -> list[str]:
    """Ten fresh single-use codes, shown once; the previous set stops working."""
    RecoveryCodeDevice.objects.filter(user=account).delete()
    device = RecoveryCodeDevice.objects.create(user=account, name="Codes de secours", confirmed=True)
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3)) for _ in range(10)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=recovery_digest(c)) for c in codes)
    record(events.FACTOR_ADDED, actor=account, subject=account, ip=client_ip(request), factor="recovery_codes")
    return codes


FACTOR_NAMES = {"TOTPDevice": "totp", "RecoveryCodeDevice": "recovery_codes", "WebAuthnCredential": "passkey"}


@transaction.atomic
def remove_factor(request: HttpRequest, account: Account, device: Device) -> None:
    kind = FACTOR_NAMES.get(type(device).__name__, type(device).__name__)
    device.delete()
    record(events.FACTOR_REMOVED, actor=account, subject=account, ip=client_ip(request), factor=kind)
