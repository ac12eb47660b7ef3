"""Loading and saving throttle.State; the rules themselves are in accounts/throttle.py."""

from datetime import datetime

from django.db import transaction
from django.utils.crypto import salted_hmac

from .. import throttle
from ..models import Throttle, normalize_identifier


def keyed_digest(purpose: str, value: str) -> str:
    return salted_hmac(f"guichet.throttle.{purpose}", value, algorithm="sha256").hexdigest()


def account_key(identifier: str) -> str:
    return keyed_digest("account", normalize_identifier(identifier))


def ip_key(ip: str | None) -> str:
    return keyed_digest("ip", ip or "unknown")


def fingerprint(identifier: str, secret: str) -> str:
    """Tells "the same wrong password again" apart without keeping the password."""
    return keyed_digest("wrong-secret", f"{normalize_identifier(identifier)}\0{secret}")[:16]


def _load(kind: str, key: str) -> tuple[Throttle, throttle.State]:
    row, _ = Throttle.objects.select_for_update().get_or_create(kind=kind, key=key)
    return row, throttle.State(
        failures=row.failures,
        last_failure=row.last_failure,
        paused_until=row.paused_until,
        recent=tuple(row.recent),
        window_start=row.window_start,
    )


def _save(row: Throttle, state: throttle.State) -> None:
    row.failures, row.last_failure, row.paused_until = state.failures, state.last_failure, state.paused_until
    row.recent, row.window_start = list(state.recent), state.window_start
    row.save()


def _peek(kind: str, key: str) -> throttle.State:
    row = Throttle.objects.filter(kind=kind, key=key).first()
    if row is None:
        return throttle.State()
    return throttle.State(row.failures, row.last_failure, row.paused_until, tuple(row.recent), row.window_start)


def account_paused_until(identifier: str, now: datetime) -> datetime | None:
    return throttle.paused_until(_peek(Throttle.ACCOUNT, account_key(identifier)), now)


def ip_blocked_until(ip: str | None, now: datetime) -> datetime | None:
    return throttle.paused_until(_peek(Throttle.IP, ip_key(ip)), now)


def remaining_before_pause(identifier: str, now: datetime) -> int | None:
    return throttle.warn_before_pause(_peek(Throttle.ACCOUNT, account_key(identifier)), now)


@transaction.atomic
def note_failure(identifier: str, secret: str, ip: str | None, now: datetime) -> throttle.State:
    """Count one failure against the identifier and the address; return the account's state."""
    row, state = _load(Throttle.ACCOUNT, account_key(identifier))
    state = throttle.account_failure(state, fingerprint(identifier, secret), now)
    _save(row, state)
    ip_row, ip_state = _load(Throttle.IP, ip_key(ip))
    _save(ip_row, throttle.ip_failure(ip_state, account_key(identifier), now))
    return state


def clear(identifier: str) -> None:
    """Forget the failures: after a successful sign-in or a completed password reset."""
    Throttle.objects.filter(kind=Throttle.ACCOUNT, key=account_key(identifier)).delete()
