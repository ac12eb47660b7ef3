"""Sign-in throttling arithmetic (NIST SP 800-63B §5.2.2, OWASP device cookies). Pure: no I/O.

Per account (keyed by the identifier typed, known or not, so an unknown identifier
behaves exactly like a real one), for browsers the account has never signed in from:
- the first four failures are free; the fifth pauses sign-in 1 minute, the sixth
  5 minutes, every later one 15 minutes: at most ~100 guesses a day;
- after 100 consecutive failures (success or a reset starts the count again) only a
  password reset or a trusted browser gets in: 100 guesses in a lifetime, not per day;
- the same wrong password typed again is not counted twice;
- the pause ladder is forgotten 12 hours after the last failure, the consecutive count is not;
- during a pause every attempt is refused, the right password included, and not counted.

A trusted browser (it signed in to this account before and carries the signed device
cookie) is never held back by failures from elsewhere nor by the address rule: its own
failures count on a ladder of its own (the device key), with the same pauses and the same
cap of 100 (a stolen cookie buys no lifetime of guesses; then only a reset gets it in).

Per address (an IPv4 address, or the /64 an IPv6 address belongs to: one subscriber gets a
whole /64), failures within ten minutes on ten identifiers or fifty times in all mark it as
guessing. Elsewhere it is blocked 15 minutes. On an institution's declared network (a
campus NAT, a hospital proxy: hundreds of people behind one address) it is never blocked,
only slowed: each attempt must come from a form shown at least `slow_delay` seconds earlier,
a delay that grows with the failures; a person typing a password never notices it, a script
spraying identifiers is held to a few attempts per form.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

FREE_FAILURES = 4
PAUSES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
FORGET_AFTER = timedelta(hours=12)
REMEMBERED_PASSWORDS = 5
HARD_CAP = 100  # consecutive failures; then a reset or a trusted browser only

IP_WINDOW = timedelta(minutes=10)
IP_MAX_IDENTIFIERS = 10  # distinct identifiers failed from one address within the window
IP_MAX_FAILURES = 50
IP_BLOCK = timedelta(minutes=15)
IP_REMEMBERED_IDENTIFIERS = 200
IPV6_PREFIX = 64
SLOW_BASE_SECONDS = 2
SLOW_STEP_FAILURES = 50  # the delay doubles every this many failures beyond the threshold
SLOW_MAX_SECONDS = 10


@dataclass(frozen=True)
class State:
    failures: int = 0
    last_failure: datetime | None = None
    paused_until: datetime | None = None
    # Account: fingerprints of recent wrong passwords. IP: fingerprints of identifiers tried.
    recent: tuple[str, ...] = ()
    window_start: datetime | None = None
    consecutive: int = 0


def address_key(ip: str | None) -> str:
    """What the address rule counts: the IPv4 address, or the IPv6 /64 (an IPv4-mapped one as IPv4)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def in_networks(ip: str | None, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == n.version and address in n for n in networks)


def paused_until(state: State, now: datetime) -> datetime | None:
    return state.paused_until if state.paused_until and state.paused_until > now else None


def capped(state: State) -> bool:
    return state.consecutive >= HARD_CAP


def _current(state: State, now: datetime, forget_after: timedelta) -> State:
    if state.last_failure is None or now - state.last_failure >= forget_after:
        return State(consecutive=state.consecutive)
    return state


def account_failure(state: State, password_fingerprint: str, now: datetime) -> State:
    """The state after a wrong password (or second-factor code) for this identifier."""
    if paused_until(state, now) or capped(state):
        return state
    state = _current(state, now, FORGET_AFTER)
    if password_fingerprint in state.recent:
        return state
    failures = state.failures + 1
    pause = None
    if failures > FREE_FAILURES:
        pause = now + PAUSES[min(failures - FREE_FAILURES, len(PAUSES)) - 1]
    recent = (*state.recent, password_fingerprint)[-REMEMBERED_PASSWORDS:]
    return State(failures, now, pause, recent, consecutive=state.consecutive + 1)


def ip_failure(state: State, identifier_fingerprint: str, now: datetime, *, campus: bool = False) -> State:
    """The state after a failure from this address. Elsewhere than on a campus, guessing blocks it."""
    if paused_until(state, now):
        return state
    if state.window_start is None or now - state.window_start >= IP_WINDOW:
        state = State(window_start=now)
    recent = state.recent
    if identifier_fingerprint not in recent:
        recent = (*recent, identifier_fingerprint)[-IP_REMEMBERED_IDENTIFIERS:]
    failures = state.failures + 1
    guessing = len(recent) >= IP_MAX_IDENTIFIERS or failures >= IP_MAX_FAILURES
    return replace(
        state,
        failures=failures,
        last_failure=now,
        recent=recent,
        paused_until=now + IP_BLOCK if guessing and not campus else None,
    )


def slow_delay(state: State, now: datetime) -> int:
    """Seconds a campus address's form must have been on screen before an attempt counts (0: none)."""
    if state.window_start is None or now - state.window_start >= IP_WINDOW:
        return 0
    beyond = max(len(state.recent) - IP_MAX_IDENTIFIERS, state.failures - IP_MAX_FAILURES)
    if beyond < 0:
        return 0
    return min(SLOW_MAX_SECONDS, SLOW_BASE_SECONDS * (1 << (beyond // SLOW_STEP_FAILURES)))


def warn_before_pause(state: State, now: datetime) -> int | None:
    """How many free attempts remain, once the person is close to a pause (else None)."""
    state = _current(state, now, FORGET_AFTER)
    remaining = FREE_FAILURES + 1 - state.failures
    return remaining if 0 < remaining <= 2 else None
