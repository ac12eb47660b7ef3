"""Sign-in throttling arithmetic (NIST SP 800-63B §5.2.2). Pure: no database, no clock.

Per account (keyed by the identifier typed, known or not, so an unknown identifier
behaves exactly like a real one):
- the first four failures are free; the fifth pauses sign-in 1 minute, the sixth
  5 minutes, every later one 15 minutes (the cap): at most ~100 guesses a day, and
  never a permanent lock;
- the same wrong password typed again is not counted twice (a person retrying the
  password they believe is right is not an attacker);
- the count is forgotten 12 hours after the last failure, and on success or reset;
- during a pause every attempt is refused, the right password included, and not counted.

Per IP: an address failing on many different identifiers (password spraying) or very
often is blocked itself for 15 minutes; its attempts then stop counting against the
accounts it targets, so the real people behind them are not paused by someone else.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

FREE_FAILURES = 4
PAUSES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
FORGET_AFTER = timedelta(hours=12)
REMEMBERED_PASSWORDS = 5

IP_WINDOW = timedelta(minutes=10)
IP_MAX_IDENTIFIERS = 10  # distinct identifiers failed from one address within the window
IP_MAX_FAILURES = 50
IP_BLOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class State:
    failures: int = 0
    last_failure: datetime | None = None
    paused_until: datetime | None = None
    # Account: fingerprints of recent wrong passwords. IP: fingerprints of identifiers tried.
    recent: tuple[str, ...] = ()
    window_start: datetime | None = None


def paused_until(state: State, now: datetime) -> datetime | None:
    return state.paused_until if state.paused_until and state.paused_until > now else None


def _current(state: State, now: datetime, forget_after: timedelta) -> State:
    if state.last_failure is None or now - state.last_failure >= forget_after:
        return State()
    return state


def account_failure(state: State, password_fingerprint: str, now: datetime) -> State:
    """The state after a wrong password (or second-factor code) for this identifier."""
    if paused_until(state, now):
        return state
    state = _current(state, now, FORGET_AFTER)
    if password_fingerprint in state.recent:
        return state
    failures = state.failures + 1
    pause = None
    if failures > FREE_FAILURES:
        pause = now + PAUSES[min(failures - FREE_FAILURES, len(PAUSES)) - 1]
    recent = (*state.recent, password_fingerprint)[-REMEMBERED_PASSWORDS:]
    return State(failures, now, pause, recent)


def ip_failure(state: State, identifier_fingerprint: str, now: datetime) -> State:
    """The state after a failure from this address; blocks it when it looks like guessing."""
    if paused_until(state, now):
        return state
    if state.window_start is None or now - state.window_start >= IP_WINDOW:
        state = State(window_start=now)
    recent = state.recent if identifier_fingerprint in state.recent else (*state.recent, identifier_fingerprint)
    failures = state.failures + 1
    blocked = len(recent) >= IP_MAX_IDENTIFIERS or failures >= IP_MAX_FAILURES
    return replace(
        state,
        failures=failures,
        last_failure=now,
        recent=recent[-IP_MAX_IDENTIFIERS:],
        paused_until=now + IP_BLOCK if blocked else None,
    )


def warn_before_pause(state: State, now: datetime) -> int | None:
    """How many free attempts remain, once the person is close to a pause (else None)."""
    state = _current(state, now, FORGET_AFTER)
    remaining = FREE_FAILURES + 1 - state.failures
    return remaining if 0 < remaining <= 2 else None
