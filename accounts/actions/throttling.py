"""Loading and saving throttle.State; the rules themselves are in accounts/throttle.py.

Concurrency: an attempt first *reserves* its evaluation — in one transaction holding the
row locks (select_for_update on PostgreSQL, the database write lock that SQLite's
IMMEDIATE transactions take) it checks the pauses and counts the attempt as a failure
before the password is even looked at. Thirty-two requests at once therefore see the
pause the fifth one set, exactly as thirty-two in a row would. A right password then
takes the provisional failure back (`settle`).
"""

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from audit.keyed import keyed_hash
from institutions.queries import institution_networks

from .. import throttle
from ..models import KnownDevice, Throttle, normalize_identifier

PACE_SALT = "guichet.throttle.pace"
PACE_MAX_AGE = 30 * 60
# A first attempt for a new key may meet another one inserting the same row (PostgreSQL;
# SQLite's IMMEDIATE transactions serialise them): the loser starts again and finds it.
INSERT_RETRIES = 3


def keyed_digest(purpose: str, value: str) -> str:
    return keyed_hash(f"guichet.throttle.{purpose}", value)


def account_key(identifier: str) -> str:
    return keyed_digest("account", normalize_identifier(identifier))


def ip_key(ip: str | None) -> str:
    return keyed_digest("ip", throttle.address_key(ip))


def device_key(identifier: str, device_hash: str) -> str:
    return keyed_digest("device", f"{normalize_identifier(identifier)}\0{device_hash}")


def fingerprint(identifier: str, secret: str) -> str:
    """Tells "the same wrong password again" apart without keeping the password."""
    return keyed_digest("wrong-secret", f"{normalize_identifier(identifier)}\0{secret}")[:16]


def on_campus(ip: str | None) -> bool:
    return throttle.in_networks(ip, institution_networks())


@dataclass(frozen=True)
class SeenDevice:
    device_hash: str
    last_seen: datetime
    user_agent: str


def known_device(raw_cookie: str, identifier: str) -> SeenDevice | None:
    """This browser's record if it signed in to this very account before (else None)."""
    if not raw_cookie:
        return None
    digest = keyed_digest("device", raw_cookie)
    rows = KnownDevice.objects.filter(account__identifier=normalize_identifier(identifier), device_hash=digest)
    seen = rows.values_list("last_seen", "user_agent").first()
    return SeenDevice(digest, *seen) if seen else None


def trusted_device(raw_cookie: str, identifier: str) -> str | None:
    """The device hash when this browser signed in to this very account before (else None)."""
    seen = known_device(raw_cookie, identifier)
    return seen.device_hash if seen else None


def _state(row: Throttle | None) -> throttle.State:
    if row is None:
        return throttle.State()
    return throttle.State(
        failures=row.failures,
        last_failure=row.last_failure,
        paused_until=row.paused_until,
        recent=tuple(row.recent),
        window_start=row.window_start,
        consecutive=row.consecutive,
    )


@dataclass
class _Slot:
    """One counter row, locked for this transaction; `row` is None until it is first written."""

    kind: str
    key: str
    row: Throttle | None
    state: throttle.State


STATE_FIELDS = ["failures", "last_failure", "paused_until", "recent", "window_start", "consecutive"]


def _load(kind: str, key: str) -> _Slot:
    # No get_or_create: a clean record costs no row until a failure is actually counted.
    row = Throttle.objects.select_for_update().filter(kind=kind, key=key).first()
    return _Slot(kind, key, row, _state(row))


def _save(slot: _Slot, state: throttle.State) -> None:
    """One statement: an INSERT for a new record, else an UPDATE of the state only."""
    row = slot.row or Throttle(kind=slot.kind, key=slot.key)
    row.failures, row.last_failure, row.paused_until = state.failures, state.last_failure, state.paused_until
    row.recent, row.window_start, row.consecutive = list(state.recent), state.window_start, state.consecutive
    if slot.row is None:
        row.save(force_insert=True)
        slot.row = row
    else:
        row.save(update_fields=STATE_FIELDS)
    slot.state = state


def _peek(kind: str, key: str) -> throttle.State:
    return _state(Throttle.objects.filter(kind=kind, key=key).first())


def account_paused_until(identifier: str, now: datetime) -> datetime | None:
    return throttle.paused_until(_peek(Throttle.ACCOUNT, account_key(identifier)), now)


def ip_blocked_until(ip: str | None, now: datetime) -> datetime | None:
    return throttle.paused_until(_peek(Throttle.IP, ip_key(ip)), now)


def paused_for(identifier: str, device: str | None, now: datetime) -> datetime | None:
    """The pause (or hard cap: None would be wrong, so far-future) that applies to this browser."""
    if device:
        return throttle.paused_until(_peek(Throttle.DEVICE, device_key(identifier, device)), now)
    state = _peek(Throttle.ACCOUNT, account_key(identifier))
    if throttle.capped(state):
        return now + throttle.FORGET_AFTER
    return throttle.paused_until(state, now)


def remaining_before_pause(identifier: str, now: datetime) -> int | None:
    return throttle.warn_before_pause(_peek(Throttle.ACCOUNT, account_key(identifier)), now)


# --- The growing delay on campus networks -----------------------------------------------


def pace_token(ip: str | None, issued: float | None = None) -> str:
    """Put in every sign-in form: when the form was first shown, to whom (signed, single use).
    `issued` carries the time of an earlier form of the same sign-in (identifier step, or a
    « wait a few seconds » page), so a person's waiting adds up across the steps."""
    payload = {"a": throttle.address_key(ip), "t": issued or time.time(), "n": secrets.token_urlsafe(8)}
    return signing.dumps(payload, salt=PACE_SALT, compress=False)


def pace_issued(token: str, ip: str | None) -> float | None:
    """When this address was first shown the form; None for a forged, foreign or reused token.
    Using it spends it."""
    try:
        payload = signing.loads(token or "", salt=PACE_SALT, max_age=PACE_MAX_AGE)
        issued, address, nonce = float(payload["t"]), payload["a"], str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if address != throttle.address_key(ip) or time.time() - issued > PACE_MAX_AGE:
        return None
    # Single use, so a script cannot wait once and fire the same form many times.
    if not cache.add(f"throttle:pace:{keyed_digest('pace', nonce)}", 1, PACE_MAX_AGE):
        return None
    return issued


def pace_age(token: str, ip: str | None) -> float | None:
    issued = pace_issued(token, ip)
    return None if issued is None else time.time() - issued


# --- Reserving and settling an evaluation -------------------------------------------------


@dataclass(frozen=True)
class Gate:
    # go, paused, locked (hard cap), ip_blocked, slowed (campus: wait `delay` seconds)
    status: str
    until: datetime | None = None
    delay: int = 0
    failures: int = 0
    counted: bool = False  # this attempt added a failure (not the same wrong password again)
    pace_issued: float | None = None  # slowed with a good but young form: when it was shown
    paused_before: datetime | None = None


def reserve(
    identifier: str,
    secret: str,
    ip: str | None,
    now: datetime,
    *,
    device: str | None = None,
    pace: str = "",
    check_address: bool = True,
) -> Gate:
    """Decide whether this attempt may be evaluated, and if so count it as a failure now."""
    for attempt in range(INSERT_RETRIES):
        try:
            with transaction.atomic():
                return _reserve(identifier, secret, ip, now, device=device, pace=pace, check_address=check_address)
        except IntegrityError:
            if attempt == INSERT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _reserve(
    identifier: str, secret: str, ip: str | None, now: datetime, *, device: str | None, pace: str, check_address: bool
) -> Gate:
    ip_slot = None
    campus = False
    if device is None and check_address:
        ip_slot = _load(Throttle.IP, ip_key(ip))
        campus = on_campus(ip)
        if campus:
            delay = throttle.slow_delay(ip_slot.state, now)
            if delay:
                issued = pace_issued(pace, ip)
                if issued is None or time.time() - issued < delay:
                    return Gate("slowed", delay=delay, pace_issued=issued)
        elif blocked := throttle.paused_until(ip_slot.state, now):
            return Gate("ip_blocked", until=blocked)
    if device is None:
        slot = _load(Throttle.ACCOUNT, account_key(identifier))
    else:
        slot = _load(Throttle.DEVICE, device_key(identifier, device))
    before = slot.state
    if paused := throttle.paused_until(before, now):
        return Gate("paused", until=paused)
    # The cap holds on a trusted browser's own ladder too: a stolen cookie buys no lifetime of guesses.
    if throttle.capped(before):
        return Gate("locked")
    state = throttle.account_failure(before, fingerprint(identifier, secret), now)
    counted = state.consecutive != before.consecutive
    if counted:
        _save(slot, state)
    if device is None and counted:
        if ip_slot is None:
            ip_slot = _load(Throttle.IP, ip_key(ip))
            campus = on_campus(ip)
        _save(ip_slot, throttle.ip_failure(ip_slot.state, account_key(identifier), now, campus=campus))
    return Gate(
        "go",
        until=throttle.paused_until(state, now),
        failures=state.failures,
        counted=counted,
        paused_before=before.paused_until,
    )


@transaction.atomic
def take_back(identifier: str, secret: str, ip: str | None, gate: Gate, *, device: str | None = None) -> None:
    """The secret was right (or the directory did not answer): undo what `reserve` counted."""
    take_back_marked(identifier, fingerprint(identifier, secret), ip, gate, device=device)


@transaction.atomic
def take_back_marked(identifier: str, mark: str, ip: str | None, gate: Gate, *, device: str | None = None) -> None:
    """`take_back` with the secret's fingerprint (a caller that no longer holds the secret)."""
    if not gate.counted:
        return
    kind, key = (
        (Throttle.DEVICE, device_key(identifier, device)) if device else (Throttle.ACCOUNT, account_key(identifier))
    )
    row = Throttle.objects.select_for_update().filter(kind=kind, key=key).first()
    if row is not None:
        row.failures = max(0, row.failures - 1)
        row.consecutive = max(0, row.consecutive - 1)
        row.recent = [r for r in row.recent if r != mark]
        if gate.until and row.paused_until == gate.until:  # the pause this very attempt set
            row.paused_until = gate.paused_before
        if row.consecutive == 0 and not row.paused_until:
            row.delete()  # nothing left to remember
        else:
            row.save()
    if device is None:
        give_back_address(ip)


def give_back_address(ip: str | None) -> None:
    """Un-count one failure of this address (the attempt was the owner's): no read, one or two writes."""
    rows = Throttle.objects.filter(kind=Throttle.IP, key=ip_key(ip))
    deleted, _ = rows.filter(failures__lte=1, paused_until__isnull=True).delete()
    if not deleted:
        rows.filter(failures__gt=0).update(failures=F("failures") - 1)


def settle_success(identifier: str, ip: str | None, gate: Gate | None, *, device: str | None) -> None:
    """A completed sign-in (callers hold a transaction): the attempt's provisional failure on
    the address is taken back, and this browser's ladder (or the account's) is forgotten."""
    if gate is not None and gate.counted and device is None:
        give_back_address(ip)
    clear(identifier, device=device)


def note_failure(identifier: str, secret: str, ip: str | None, now: datetime) -> throttle.State:
    """Count one failure (a second-factor code) against the identifier and the address."""
    with transaction.atomic():
        slot = _load(Throttle.ACCOUNT, account_key(identifier))
        state = throttle.account_failure(slot.state, fingerprint(identifier, secret), now)
        _save(slot, state)
        ip_slot = _load(Throttle.IP, ip_key(ip))
        _save(ip_slot, throttle.ip_failure(ip_slot.state, account_key(identifier), now, campus=on_campus(ip)))
    return state


def clear(identifier: str, device: str | None = None) -> None:
    """Forget the failures after a successful sign-in: the account's, or this trusted browser's."""
    if device:
        Throttle.objects.filter(kind=Throttle.DEVICE, key=device_key(identifier, device)).delete()
    else:
        Throttle.objects.filter(kind=Throttle.ACCOUNT, key=account_key(identifier)).delete()


def clear_all(identifier: str) -> None:
    """A completed reset: the account's ladder and every trusted browser's ladder for it."""
    clear(identifier)
    hashes = KnownDevice.objects.filter(account__identifier=normalize_identifier(identifier)).values_list(
        "device_hash", flat=True
    )
    Throttle.objects.filter(kind=Throttle.DEVICE, key__in=[device_key(identifier, h) for h in hashes]).delete()


# --- Windowed counters (recovery's request quotas and wrong codes) ----------------------------


def window_take(kind: str, value: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one event for `value` in its window, atomically; False (and not counted) at the limit."""
    with transaction.atomic():
        row, _ = Throttle.objects.select_for_update().get_or_create(kind=kind, key=keyed_digest(kind, value))
        if row.window_start is None or now - row.window_start >= window:
            row.window_start, row.failures = now, 0
        if row.failures >= limit:
            return False
        row.failures += 1
        row.save(update_fields=["window_start", "failures"])
        return True


def window_give_back(kind: str, value: str) -> None:
    """Un-count one event (it turned out to be the owner's right code)."""
    with transaction.atomic():
        row = Throttle.objects.select_for_update().filter(kind=kind, key=keyed_digest(kind, value)).first()
        if row is not None and row.failures:
            row.failures -= 1
            row.save(update_fields=["failures"])
