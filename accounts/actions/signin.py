"""Signing in: password, throttling, second factor, then the session. Views call these."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import authenticate, login
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from audit.actions import client_ip, record

from .. import directories
from ..models import Account, KnownDevice, normalize_identifier
from . import sessions, throttling

PENDING = "guichet.pending_second_factor"
PENDING_SECONDS = 300
BACKEND = "accounts.backends.DirectoryBackend"


@dataclass(frozen=True)
class Outcome:
    # ok, second_factor, failed, paused, locked, ip_blocked, slowed, inactive, unavailable
    status: str
    account: Account | None = None
    until: datetime | None = None
    remaining: int | None = None
    device: object = None
    delay: int = 0
    pace_issued: float | None = None


def _label(identifier: str) -> str:
    """What the audit log shows of a typed identifier: enough to help, never a password."""
    text = normalize_identifier(identifier)
    local, at, domain = text.rpartition("@")
    if at and local:
        return f"{local[:2]}…@{domain}"[:254]
    return f"{text[:2]}…" if text else ""


def _known(identifier: str) -> Account | None:
    return Account.objects.filter(identifier=normalize_identifier(identifier)).first()


def device_cookie(request) -> str:
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_COOKIE) or ""


def trusted_device(request, identifier: str) -> str | None:
    """The hash of this browser's device cookie if it signed in to this account before."""
    return throttling.trusted_device(device_cookie(request), identifier)


def attempt(request, identifier: str, password: str, institution, pace: str = "") -> Outcome:
    now = timezone.now()
    ip = client_ip(request)
    known = _known(identifier)
    who = {"subject": known, "subject_label": "" if known else _label(identifier), "ip": ip}
    device = trusted_device(request, identifier)

    gate = throttling.reserve(identifier, password, ip, now, device=device, pace=pace)
    if gate.status == "ip_blocked":
        record("accounts.signin.ip_blocked", **who)
        return Outcome("ip_blocked", until=gate.until)
    if gate.status == "slowed":
        record("accounts.signin.slowed", delay=gate.delay, **who)
        return Outcome("slowed", delay=gate.delay, pace_issued=gate.pace_issued)
    if gate.status in ("paused", "locked"):
        record(f"accounts.signin.refused_{gate.status}", **who)
        return Outcome(gate.status, until=gate.until)

    try:
        account = authenticate(request, identifier=identifier, password=password, institution=institution)
    except directories.DirectoryUnavailable:
        throttling.take_back(identifier, password, ip, gate, device=device)
        record("accounts.signin.directory_unavailable", institution=institution.slug, **who)
        return Outcome("unavailable")

    if account is None:
        record("accounts.signin.failure", failures=gate.failures, trusted_device=bool(device), **who)
        if gate.until:
            record("accounts.signin.paused", until=gate.until.isoformat(), **who)
            return Outcome("paused", until=gate.until)
        return Outcome("failed", remaining=throttling.remaining_before_pause(identifier, now))
    # The right password: the provisional failure is taken back, the ladder itself is only
    # cleared once the second factor is through too (else each right password would buy
    # an attacker who has it four more second-factor guesses).
    throttling.take_back(identifier, password, ip, gate, device=device)
    if not account.is_active:
        record("accounts.signin.inactive", subject=account, ip=ip, status=account.status)
        return Outcome("inactive", account)
    if user_has_device(account):
        return Outcome("second_factor", account)
    return Outcome("ok", account)


def _failure(identifier, secret, ip, now, who, code) -> Outcome:
    """A failed check that cannot be guessed at speed (a passkey): counted after the fact."""
    state = throttling.note_failure(identifier, secret, ip, now)
    record(code, failures=state.failures, **who)
    if state.paused_until and state.paused_until > now:
        record("accounts.signin.paused", until=state.paused_until.isoformat(), **who)
        return Outcome("paused", until=state.paused_until)
    return Outcome("failed", remaining=throttling.remaining_before_pause(identifier, now))


def start_second_factor(request, account: Account, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"account": account.pk, "at": timezone.now().timestamp(), "next": next_url}


def pending_account(request) -> tuple[Account | None, str]:
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    return Account.objects.filter(pk=pending["account"]).first(), pending.get("next", "")


def verify_second_factor(request, account: Account, code: str) -> Outcome:
    """A TOTP or recovery code for the pending account; wrong codes count like passwords."""
    now = timezone.now()
    ip = client_ip(request)
    who = {"subject": account, "ip": ip}
    trusted = trusted_device(request, account.identifier)
    secret = f"otp:{code}"
    # The password was right: the address rule is not asked again, the account's ladder is.
    gate = throttling.reserve(account.identifier, secret, ip, now, device=trusted, check_address=False)
    if gate.status in ("paused", "locked"):
        record(f"accounts.signin.refused_{gate.status}", **who)
        return Outcome(gate.status, until=gate.until)
    device = match_token(account, (code or "").replace(" ", ""))
    if device is None:
        record("accounts.signin.second_factor_failure", failures=gate.failures, **who)
        if gate.until:
            record("accounts.signin.paused", until=gate.until.isoformat(), **who)
            return Outcome("paused", until=gate.until)
        return Outcome("failed", remaining=throttling.remaining_before_pause(account.identifier, now))
    throttling.take_back(account.identifier, secret, ip, gate, device=trusted)
    return Outcome("ok", account, device=device)


def complete(request, account: Account, device=None) -> str | None:
    """The person is who they say: open the session. Returns a new device cookie value, if any."""
    previous = account.last_login
    request.session.pop(PENDING, None)
    login(request, account, backend=BACKEND)  # rotates the session key
    if device is not None:
        otp_login(request, device)
    Account.objects.filter(pk=account.pk).update(previous_login=previous)
    account.previous_login = previous
    # Success from a trusted browser clears that browser's ladder only: the owner signing in
    # every morning must not hand an attacker elsewhere a fresh budget every day.
    throttling.clear(account.identifier, device=trusted_device(request, account.identifier))
    sessions.open(request, account)
    record(
        "accounts.signin.success",
        actor=account,
        subject=account,
        ip=client_ip(request),
        factor=type(device).__name__ if device else "password",
    )
    return _remember_device(request, account)


DEVICE_COOKIE = "guichet_device"


def _remember_device(request, account: Account) -> str | None:
    """Tell the person by mail when a browser signs in for the first time."""
    raw = device_cookie(request)
    new_cookie = None
    if not raw:
        raw = new_cookie = secrets.token_urlsafe(24)
    digest = throttling.keyed_digest("device", raw)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    device, created = KnownDevice.objects.get_or_create(
        account=account, device_hash=digest, defaults={"user_agent": agent}
    )
    if not created:
        KnownDevice.objects.filter(pk=device.pk).update(last_seen=timezone.now(), user_agent=agent)
        return new_cookie
    _notify_new_device(request, account, agent)
    return new_cookie


def _notify_new_device(request, account: Account, agent: str) -> None:
    from notify.actions import queue_email

    from .. import destinations

    if not account.has_verified_secondary_email:
        return
    queue_email(
        to=account.secondary_email,
        template="new_device",
        context={
            "account": account,
            "when": timezone.now(),
            "device": sessions.describe_agent(agent),
            "place": sessions.ip_prefix(client_ip(request)),
            "connections_url": request.build_absolute_uri(reverse("connections")),
            "reset_url": request.build_absolute_uri(destinations.url(destinations.PASSWORD_RESET)),
        },
        language=account.language,
        purpose="accounts.new_device",
        account=account,
    )


def record_failed_attempt(identifier, secret, ip, now, who, code) -> Outcome:
    """A failed check that cannot be guessed at speed (a passkey), counted after the fact."""
    return _failure(identifier, secret, ip, now, who, code)
