"""Signing in: password, throttling, second factor, then the session. Views call these.

Cost (issue 15): around the password hash a sign-in reads the account row once (the
second-factor flag rides on it), reserves its evaluation in one short transaction before
the hash (accounts/actions/throttling.py: concurrency must gain nothing), and after the hash
writes everything else — throttle settlement, session, last sign-in, known browser, audit —
in one transaction in `complete`.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import authenticate, login
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device

from audit.actions import client_ip, record
from institutions.models import Institution

from .. import directories, events
from ..models import Account, KnownDevice, normalize_identifier
from . import sessions, throttling

PENDING = "guichet.pending_second_factor"
PENDING_SECONDS = 300
BACKEND = "accounts.backends.DirectoryBackend"
DEVICE_COOKIE = "guichet_device"
DEVICE_SEEN_PRECISION = timedelta(days=1)
# On the request: what `attempt` left for `complete` to settle in its own transaction, and
# the trusted-browser answer (asked once per request, not at each step).
_SETTLE = "_guichet_signin_settle"
_TRUSTED = "_guichet_trusted_device"


@dataclass(frozen=True)
class Outcome:
    # ok, second_factor, failed, paused, locked, ip_blocked, slowed, inactive, unavailable
    status: str
    account: Account | None = None
    until: datetime | None = None
    remaining: int | None = None
    device: Device | None = None
    delay: int = 0
    pace_issued: float | None = None


@dataclass(frozen=True)
class _Settle:
    identifier: str
    ip: str | None
    gate: throttling.Gate
    device: str | None
    mark: str = ""  # the password's fingerprint, to take the provisional failure back


def _label(identifier: str) -> str:
    """What the audit log shows of a typed identifier: enough to help, never a password."""
    text = normalize_identifier(identifier)
    local, at, domain = text.rpartition("@")
    if at and local:
        return f"{local[:2]}…@{domain}"[:254]
    return f"{text[:2]}…" if text else ""


def _known(identifier: str) -> Account | None:
    known = Account.objects.filter(identifier=normalize_identifier(identifier)).first()
    if known is None:
        # Built and dropped: turning the row into an object was the one piece of work a real
        # account's wrong password cost that an unknown identifier did not (issue 10: the
        # time of the answer must not tell them apart).
        Account(identifier=normalize_identifier(identifier), status=Account.DISABLED)
    return known


def device_cookie(request: HttpRequest) -> str:
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_COOKIE) or ""


def trusted_device(request: HttpRequest, identifier: str) -> str | None:
    """The hash of this browser's device cookie if it signed in to this account before."""
    seen = _seen_device(request, identifier)
    return seen.device_hash if seen else None


def _seen_device(request: HttpRequest, identifier: str) -> throttling.SeenDevice | None:
    # Asked once per request: the attempt and the completed sign-in both need it.
    memo: dict[str, throttling.SeenDevice | None] = request.__dict__.setdefault(_TRUSTED, {})
    key = normalize_identifier(identifier)
    if key not in memo:
        memo[key] = throttling.known_device(device_cookie(request), identifier)
    return memo[key]


def attempt(request: HttpRequest, identifier: str, password: str, institution: Institution, pace: str = "") -> Outcome:
    now = timezone.now()
    ip = client_ip(request)
    # The one read of the account row. An unknown identifier does the same work (the same
    # queries, a dummy hash of the same cost): neither answer nor timing tells them apart.
    known = _known(identifier)
    who: dict[str, Any] = {"subject": known, "subject_label": "" if known else _label(identifier), "ip": ip}
    device = trusted_device(request, identifier)

    gate = throttling.reserve(identifier, password, ip, now, device=device, pace=pace)
    if gate.status != "go":
        return _refused(gate, who)
    try:
        account = authenticate(request, identifier=identifier, password=password, institution=institution, known=known)
    except directories.DirectoryUnavailable:
        throttling.take_back(identifier, password, ip, gate, device=device)
        record(events.SIGNIN_DIRECTORY_UNAVAILABLE, institution=institution.slug, **who)
        return Outcome("unavailable")
    if account is None:
        record(events.SIGNIN_FAILURE, failures=gate.failures, trusted_device=bool(device), **who)
        if gate.until:
            record(events.SIGNIN_PAUSED, until=gate.until.isoformat(), **who)
            return Outcome("paused", until=gate.until)
        return Outcome("failed", remaining=throttling.remaining_before_pause(identifier, now))
    assert isinstance(account, Account)
    mark = throttling.fingerprint(identifier, password)
    if account.is_active and not account.has_second_factor:
        # Signed in at once: `complete` settles the throttle in its own transaction.
        request.__dict__[_SETTLE] = _Settle(identifier, ip, gate, device, mark)
        return Outcome("ok", account)
    if not account.is_active:
        throttling.take_back(identifier, password, ip, gate, device=device)
        record(events.SIGNIN_INACTIVE, subject=account, ip=ip, status=account.status)
        return Outcome("inactive", account)
    # The right password: the provisional failure is taken back (by `start_second_factor`,
    # in the transaction that writes the session), the ladder itself is only cleared once
    # the second factor is through too (else each right password would buy an attacker who
    # has it four more second-factor guesses).
    request.__dict__[_SETTLE] = _Settle(identifier, ip, gate, device, mark)
    return Outcome("second_factor", account)


def _refused(gate: throttling.Gate, who: dict[str, Any]) -> Outcome:
    if gate.status == "ip_blocked":
        record(events.SIGNIN_IP_BLOCKED, **who)
        return Outcome("ip_blocked", until=gate.until)
    if gate.status == "slowed":
        record(events.SIGNIN_SLOWED, delay=gate.delay, **who)
        return Outcome("slowed", delay=gate.delay, pace_issued=gate.pace_issued)
    record(events.SIGNIN_REFUSED[gate.status], **who)
    return Outcome(gate.status, until=gate.until)


def record_failed_attempt(
    identifier: str, secret: str, ip: str | None, now: datetime, who: dict[str, Any], code: str
) -> Outcome:
    """A failed check that cannot be guessed at speed (a passkey): counted after the fact."""
    state = throttling.note_failure(identifier, secret, ip, now)
    record(code, failures=state.failures, **who)
    if state.paused_until and state.paused_until > now:
        record(events.SIGNIN_PAUSED, until=state.paused_until.isoformat(), **who)
        return Outcome("paused", until=state.paused_until)
    return Outcome("failed", remaining=throttling.remaining_before_pause(identifier, now))


_failure = record_failed_attempt  # the former private name


@transaction.atomic
def start_second_factor(request: HttpRequest, account: Account, next_url: str) -> None:
    settle: _Settle | None = request.__dict__.pop(_SETTLE, None)
    if settle is not None:
        throttling.take_back_marked(settle.identifier, settle.mark, settle.ip, settle.gate, device=settle.device)
    request.session.cycle_key()
    request.session[PENDING] = {"account": account.pk, "at": timezone.now().timestamp(), "next": next_url}
    request.session.save()  # in this transaction; the session middleware then finds nothing new


def pending_account(request: HttpRequest) -> tuple[Account | None, str]:
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    return Account.objects.filter(pk=pending["account"]).first(), pending.get("next", "")


def verify_second_factor(request: HttpRequest, account: Account, code: str) -> Outcome:
    """A TOTP or recovery code for the pending account; wrong codes count like passwords."""
    now = timezone.now()
    ip = client_ip(request)
    who: dict[str, Any] = {"subject": account, "ip": ip}
    trusted = trusted_device(request, account.identifier)
    secret = f"otp:{code}"
    # The password was right: the address rule is not asked again, the account's ladder is.
    gate = throttling.reserve(account.identifier, secret, ip, now, device=trusted, check_address=False)
    if gate.status in ("paused", "locked"):
        record(events.SIGNIN_REFUSED[gate.status], **who)
        return Outcome(gate.status, until=gate.until)
    device = match_token(account, (code or "").replace(" ", ""))
    if device is None:
        record(events.SIGNIN_SECOND_FACTOR_FAILURE, failures=gate.failures, **who)
        if gate.until:
            record(events.SIGNIN_PAUSED, until=gate.until.isoformat(), **who)
            return Outcome("paused", until=gate.until)
        return Outcome("failed", remaining=throttling.remaining_before_pause(account.identifier, now))
    throttling.take_back(account.identifier, secret, ip, gate, device=trusted)
    return Outcome("ok", account, device=device)


@transaction.atomic
def complete(request: HttpRequest, account: Account, device: Device | None = None) -> str | None:
    """The person is who they say: open the session, in one transaction. Returns a new device
    cookie value, if any."""
    settle: _Settle | None = request.__dict__.pop(_SETTLE, None)
    trusted = trusted_device(request, account.identifier)
    gate = settle.gate if settle is not None else None
    if settle is not None and normalize_identifier(settle.identifier) != account.identifier:
        # Typed otherwise (an LDAP uid for a mail): the attempt was counted under what was
        # typed, so it is taken back there (the address with it).
        throttling.take_back_marked(settle.identifier, settle.mark, settle.ip, settle.gate, device=settle.device)
        gate = None
    throttling.settle_success(account.identifier, client_ip(request), gate, device=trusted)
    request.session.pop(PENDING, None)
    # Django's update_last_login writes previous_login with last_login (Account.save).
    account.previous_login = account.last_login
    login(request, account, backend=BACKEND)  # rotates the session key
    if device is not None:
        otp_login(request, device)
    sessions.open(request, account)
    record(
        events.SIGNIN_SUCCESS,
        actor=account,
        subject=account,
        ip=client_ip(request),
        factor=type(device).__name__ if device else "password",
    )
    cookie = _remember_device(request, account, trusted)
    # Written now, inside this transaction; the session middleware then finds nothing new.
    request.session.save()
    return cookie


def _remember_device(request: HttpRequest, account: Account, trusted: str | None) -> str | None:
    """Tell the person by mail when a browser signs in for the first time."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    raw = device_cookie(request)
    seen = _seen_device(request, account.identifier)
    if trusted and seen:
        # Kept to the day: a browser signing in every morning costs no write the rest of it.
        if seen.user_agent != agent or timezone.now() - seen.last_seen >= DEVICE_SEEN_PRECISION:
            KnownDevice.objects.filter(account=account, device_hash=trusted).update(
                last_seen=timezone.now(), user_agent=agent
            )
        return None
    new_cookie = None
    if not raw:
        raw = new_cookie = secrets.token_urlsafe(24)
    digest = throttling.keyed_digest("device", raw)
    if new_cookie:
        # A cookie made now cannot be on record yet: one INSERT, no lookup first.
        KnownDevice.objects.create(account=account, device_hash=digest, user_agent=agent)
        created = True
    else:
        _device, created = KnownDevice.objects.get_or_create(
            account=account, device_hash=digest, defaults={"user_agent": agent}
        )
    if created:
        _notify_new_device(request, account, agent)
    return new_cookie


def _notify_new_device(request: HttpRequest, account: Account, agent: str) -> None:
    # Rendered by the worker: the person in front of the sign-in page does not wait for it.
    from notify.actions import queue_email_later

    from .. import destinations

    if not account.has_verified_secondary_email:
        return
    queue_email_later(
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
