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
from django.db import transaction
from django.utils.crypto import salted_hmac

from institutions.queries import institution_networks

from .. import throttle
from ..models import KnownDevice, Throttle, normalize_identifier

PACE_SALT = "guichet.throttle.pace"
PACE_MAX_AGE = 30 * 60


def keyed_digest(purpose: str, value: str) -> str:
    return salted_hmac(f"guichet.throttle.{purpose}", value, algorithm="sha256").hexdigest()


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


def trusted_device(raw_cookie: str, identifier: str) -> str | None:
    """The device hash when this browser signed in to this very account before (else None)."""
    if not raw_cookie:
        return None
    digest = keyed_digest("device", raw_cookie)
    known = KnownDevice.objects.filter(account__identifier=normalize_identifier(identifier), device_hash=digest)
    return digest if known.exists() else None


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


def _load(kind: str, key: str) -> tuple[Throttle, throttle.State]:
    row, _ = Throttle.objects.select_for_update().get_or_create(kind=kind, key=key)
    return row, _state(row)


def _save(row: Throttle, state: throttle.State) -> None:
    row.failures, row.last_failure, row.paused_until = state.failures, state.last_failure, state.paused_until
    row.recent, row.window_start, row.consecutive = list(state.recent), state.window_start, state.consecutive
    row.save()


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
    with transaction.atomic():
        if device is None and check_address:
            ip_row, ip_state = _load(Throttle.IP, ip_key(ip))
            if on_campus(ip):
                delay = throttle.slow_delay(ip_state, now)
                if delay:
                    issued = pace_issued(pace, ip)
                    if issued is None or time.time() - issued < delay:
                        return Gate("slowed", delay=delay, pace_issued=issued)
            elif blocked := throttle.paused_until(ip_state, now):
                return Gate("ip_blocked", until=blocked)
        if device is None:
            row, state = _load(Throttle.ACCOUNT, account_key(identifier))
        else:
            row, state = _load(Throttle.DEVICE, device_key(identifier, device))
        if paused := throttle.paused_until(state, now):
            return Gate("paused", until=paused)
        if device is None and throttle.capped(state):
            return Gate("locked")
        before = state
        state = throttle.account_failure(state, fingerprint(identifier, secret), now)
        counted = state.consecutive != before.consecutive
        _save(row, state)
        if device is None and counted:
            if not check_address:
                ip_row, ip_state = _load(Throttle.IP, ip_key(ip))
            _save(ip_row, throttle.ip_failure(ip_state, account_key(identifier), now, campus=on_campus(ip)))
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
    if not gate.counted:
        return
    kind, key = (
        (Throttle.DEVICE, device_key(identifier, device)) if device else (Throttle.ACCOUNT, account_key(identifier))
    )
    row = Throttle.objects.select_for_update().filter(kind=kind, key=key).first()
    if row is not None:
        row.failures = max(0, row.failures - 1)
        row.consecutive = max(0, row.consecutive - 1)
        mark = fingerprint(identifier, secret)
        row.recent = [r for r in row.recent if r != mark]
        if gate.until and row.paused_until == gate.until:  # the pause this very attempt set
            row.paused_until = gate.paused_before
        if row.consecutive == 0 and not row.paused_until:
            row.delete()  # nothing left to remember
        else:
            row.save()
    if device is None:
        ip_row = Throttle.objects.select_for_update().filter(kind=Throttle.IP, key=ip_key(ip)).first()
        if ip_row is not None and ip_row.failures <= 1 and not ip_row.paused_until:
            ip_row.delete()
        elif ip_row is not None:
            ip_row.failures -= 1
            ip_row.save(update_fields=["failures"])


def note_failure(identifier: str, secret: str, ip: str | None, now: datetime) -> throttle.State:
    """Count one failure (a second-factor code) against the identifier and the address."""
    with transaction.atomic():
        row, state = _load(Throttle.ACCOUNT, account_key(identifier))
        state = throttle.account_failure(state, fingerprint(identifier, secret), now)
        _save(row, state)
        ip_row, ip_state = _load(Throttle.IP, ip_key(ip))
        _save(ip_row, throttle.ip_failure(ip_state, account_key(identifier), now, campus=on_campus(ip)))
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
