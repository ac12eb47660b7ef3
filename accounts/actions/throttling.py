"""Loading and saving throttle.State; the rules themselves are in accounts/throttle.py, the
states in a store (accounts/throttle_stores: database rows, or Redis on the scale-out path).

Concurrency: an attempt first *reserves* its evaluation — in one atomic change of the store
(a transaction holding the rows' locks; in Redis a compare-and-set that runs again when
another node wrote in between) it checks the pauses and counts the attempt as a failure
before the password is even looked at. Thirty-two requests at once therefore see the
pause the fifth one set, exactly as thirty-two in a row would. A right password then
takes the provisional failure back (`settle`).
"""

import functools
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core import signing
from django.core.cache import cache

from audit.keyed import keyed_hash
from institutions.queries import institution_networks

from .. import throttle, throttle_stores
from ..models import KnownDevice, Throttle, normalize_identifier
from ..throttle_stores import Slots, ThrottleStore

PACE_SALT = "guichet.throttle.pace"
PACE_MAX_AGE = 30 * 60


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


_store: ThrottleStore | None = None


def store() -> ThrottleStore:
    """The process's store, chosen once by settings.GUICHET_THROTTLE_STORE (one Redis pool)."""
    global _store
    if _store is None:
        _store = throttle_stores.from_settings()
    return _store


@contextmanager
def using(other: ThrottleStore) -> Iterator[ThrottleStore]:
    """Run with another store (tests: a Redis of their own)."""
    global _store
    kept, _store = _store, other
    try:
        yield other
    finally:
        _store = kept


def peek_state(kind: str, key: str) -> throttle.State:
    return store().peek(kind, key)


def _own(identifier: str, device: str | None) -> tuple[str, str]:
    """The ladder an attempt climbs: this trusted browser's for the account, else the account's."""
    return (Throttle.DEVICE, device_key(identifier, device)) if device else (Throttle.ACCOUNT, account_key(identifier))


def account_paused_until(identifier: str, now: datetime) -> datetime | None:
    return throttle.paused_until(peek_state(Throttle.ACCOUNT, account_key(identifier)), now)


def ip_blocked_until(ip: str | None, now: datetime) -> datetime | None:
    return throttle.paused_until(peek_state(Throttle.IP, ip_key(ip)), now)


def paused_for(identifier: str, device: str | None, now: datetime) -> datetime | None:
    """The pause (or hard cap: None would be wrong, so far-future) that applies to this browser."""
    if device:
        return throttle.paused_until(peek_state(*_own(identifier, device)), now)
    state = peek_state(Throttle.ACCOUNT, account_key(identifier))
    if throttle.capped(state):
        return now + throttle.FORGET_AFTER
    return throttle.paused_until(state, now)


def remaining_before_pause(identifier: str, now: datetime) -> int | None:
    return throttle.warn_before_pause(peek_state(Throttle.ACCOUNT, account_key(identifier)), now)


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
    # Memoised: a store may run the decision twice (Redis, on a conflict); the campus
    # networks are read once, and the single-use pace token is spent once.
    campus = functools.cache(lambda: on_campus(ip))
    issued = functools.cache(lambda: pace_issued(pace, ip))
    own = _own(identifier, device)
    address = (Throttle.IP, ip_key(ip))
    prefetch = [own] if device else [address, own]

    def decide(slots: Slots) -> Gate:
        return _reserve(slots, identifier, secret, now, own, address, campus, issued, check_address=check_address)

    return store().atomically(decide, prefetch)


def _reserve(
    slots: Slots,
    identifier: str,
    secret: str,
    now: datetime,
    own: tuple[str, str],
    address: tuple[str, str],
    campus: Callable[[], bool],
    issued: Callable[[], float | None],
    *,
    check_address: bool,
) -> Gate:
    device = own[0] == Throttle.DEVICE
    ip_state = None
    if not device and check_address:
        ip_state = slots.load(*address)
        if campus():
            delay = throttle.slow_delay(ip_state, now)
            if delay:
                shown = issued()
                if shown is None or time.time() - shown < delay:
                    return Gate("slowed", delay=delay, pace_issued=shown)
        elif blocked := throttle.paused_until(ip_state, now):
            return Gate("ip_blocked", until=blocked)
    before = slots.load(*own)
    if paused := throttle.paused_until(before, now):
        return Gate("paused", until=paused)
    # The cap holds on a trusted browser's own ladder too: a stolen cookie buys no lifetime of guesses.
    if throttle.capped(before):
        return Gate("locked")
    state = throttle.account_failure(before, fingerprint(identifier, secret), now)
    counted = state.consecutive != before.consecutive
    if counted:
        slots.save(*own, state)
    if not device and counted:
        if ip_state is None:
            ip_state = slots.load(*address)
        slots.save(*address, throttle.ip_failure(ip_state, account_key(identifier), now, campus=campus()))
    return Gate(
        "go",
        until=throttle.paused_until(state, now),
        failures=state.failures,
        counted=counted,
        paused_before=before.paused_until,
    )


def take_back(identifier: str, secret: str, ip: str | None, gate: Gate, *, device: str | None = None) -> None:
    """The secret was right (or the directory did not answer): undo what `reserve` counted."""
    take_back_marked(identifier, fingerprint(identifier, secret), ip, gate, device=device)


def take_back_marked(identifier: str, mark: str, ip: str | None, gate: Gate, *, device: str | None = None) -> None:
    """`take_back` with the secret's fingerprint (a caller that no longer holds the secret)."""
    if not gate.counted:
        return
    own = _own(identifier, device)

    def undo(slots: Slots) -> None:
        state = slots.load(*own)
        if state == throttle.State():
            return
        paused = state.paused_until
        if gate.until and paused == gate.until:  # the pause this very attempt set
            paused = gate.paused_before
        state = replace(
            state,
            failures=max(0, state.failures - 1),
            consecutive=max(0, state.consecutive - 1),
            recent=tuple(r for r in state.recent if r != mark),
            paused_until=paused,
        )
        if state.consecutive == 0 and not state.paused_until:
            slots.delete(*own)  # nothing left to remember
        else:
            slots.save(*own, state)

    store().atomically(undo, [own])
    if device is None:
        give_back_address(ip)


def give_back_address(ip: str | None) -> None:
    """Un-count one failure of this address (the attempt was the owner's)."""
    store().give_back_address(ip_key(ip))


def settle_success(identifier: str, ip: str | None, gate: Gate | None, *, device: str | None) -> None:
    """A completed sign-in (callers hold a transaction): the attempt's provisional failure on
    the address is taken back, and this browser's ladder (or the account's) is forgotten."""
    if gate is not None and gate.counted and device is None:
        give_back_address(ip)
    clear(identifier, device=device)


def note_failure(identifier: str, secret: str, ip: str | None, now: datetime) -> throttle.State:
    """Count one failure (a second-factor code) against the identifier and the address."""
    own, address = (Throttle.ACCOUNT, account_key(identifier)), (Throttle.IP, ip_key(ip))
    campus = functools.cache(lambda: on_campus(ip))

    def count(slots: Slots) -> throttle.State:
        state = throttle.account_failure(slots.load(*own), fingerprint(identifier, secret), now)
        slots.save(*own, state)
        slots.save(*address, throttle.ip_failure(slots.load(*address), account_key(identifier), now, campus=campus()))
        return state

    return store().atomically(count, [own, address])


def clear(identifier: str, device: str | None = None) -> None:
    """Forget the failures after a successful sign-in: the account's, or this trusted browser's."""
    kind, key = _own(identifier, device)
    store().delete(kind, [key])


def clear_all(identifier: str) -> None:
    """A completed reset: the account's ladder and every trusted browser's ladder for it."""
    clear(identifier)
    hashes = KnownDevice.objects.filter(account__identifier=normalize_identifier(identifier)).values_list(
        "device_hash", flat=True
    )
    store().delete(Throttle.DEVICE, [device_key(identifier, h) for h in hashes])


# --- Windowed counters (recovery's request quotas and wrong codes) ----------------------------


def window_take(kind: str, value: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one event for `value` in its window, atomically; False (and not counted) at the limit."""
    return store().window_take(kind, keyed_digest(kind, value), limit, window, now)


def window_give_back(kind: str, value: str) -> None:
    """Un-count one event (it turned out to be the owner's right code)."""
    store().window_give_back(kind, keyed_digest(kind, value))
