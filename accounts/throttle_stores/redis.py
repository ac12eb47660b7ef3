"""Throttle states in Redis (the scale-out path): one key per state, compact JSON.

Atomicity: an optimistic transaction. A change reads its states (one MGET for those it
names up front), the rules decide in Python, and one Lua script checks that every state it
read is still byte for byte what was read and, only then, writes (SET/DEL) the new ones. If
another node wrote in between, nothing is written and the change runs again on fresh
states. Lua only compares and sets, so the rules keep their one copy (accounts/throttle.py);
WATCH/MULTI/EXEC would do the same in three round trips and hold a pooled connection
across them. A reservation is thus two round trips (one when it refuses: nothing to write).

Expiry: what ages out by the rules gets a TTL well beyond its rule (the pause ladder twelve
hours after the last failure, an address's window and block, a recovery window); a state
holding `consecutive` failures (the hard cap of 100, never forgotten with time) gets none.
Production Redis must therefore persist (appendonly yes): a Redis restarted empty forgets
the hard cap with every other counter.

Keys are f"{PREFIX}:{kind}:{keyed digest}" and values hold digests, counts and times only:
never an identifier nor an address in clear.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import redis.exceptions

from .. import throttle
from ..models import Throttle
from ..throttle import State
from . import Slot, Slots, T

PREFIX = "guichet:throttle"
# Beyond what a rule needs (FORGET_AFTER, a window, a block): a clock a little off forgets nothing.
MARGIN = timedelta(hours=1)
# Each conflict means another change went through, so this many in a row means Redis is
# unusably slow: the caller answers the 503 page (TimeoutError is an outage), never lets in.
CONFLICT_RETRIES = 100
TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 5.0}  # unless settings.REDIS_TIMEOUTS says
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)

# KEYS: the keys read, then keys written unread. ARGV[1]: how many were read; ARGV[2..n+1]:
# what was read ("" for nothing); then triples (index in KEYS, value or "" to delete,
# expire-at in ms or "0" for no expiry).
COMPARE_AND_SET = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if (redis.call('GET', KEYS[i]) or '') ~= ARGV[i + 1] then return 0 end
end
for j = n + 2, #ARGV, 3 do
  local key, value, at = KEYS[tonumber(ARGV[j])], ARGV[j + 1], ARGV[j + 2]
  if value == '' then
    redis.call('DEL', key)
  elseif at == '0' then
    redis.call('SET', key, value)
  else
    redis.call('SET', key, value, 'PXAT', at)
  end
end
return 1
"""


def name(kind: str, key: str) -> str:
    return f"{PREFIX}:{kind}:{key}"


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // ONE_US  # exact: a pause is compared with ==


def _moment(us: int | None) -> datetime | None:
    return None if us is None else EPOCH + us * ONE_US


def dumps(state: State) -> bytes:
    fields: dict[str, Any] = {
        "f": state.failures,
        "l": _us(state.last_failure),
        "p": _us(state.paused_until),
        "r": list(state.recent),
        "w": _us(state.window_start),
        "c": state.consecutive,
    }
    compact = {k: v for k, v in fields.items() if v}  # defaults left out
    return json.dumps(compact, separators=(",", ":")).encode()


def loads(raw: bytes | str | None) -> State:
    if not raw:
        return State()
    data = json.loads(raw)
    return State(
        failures=data.get("f", 0),
        last_failure=_moment(data.get("l")),
        paused_until=_moment(data.get("p")),
        recent=tuple(data.get("r", ())),
        window_start=_moment(data.get("w")),
        consecutive=data.get("c", 0),
    )


def expire_at(state: State, window: timedelta = throttle.IP_WINDOW) -> int:
    """Milliseconds since the epoch when this state may go, or 0: never (the hard cap's count)."""
    if state.consecutive:
        return 0
    ends = [datetime.now(UTC) + window, state.paused_until]
    ends += [state.last_failure and state.last_failure + throttle.FORGET_AFTER]
    ends += [state.window_start and state.window_start + window]
    latest = max(end for end in ends if end is not None)
    return (latest + MARGIN - EPOCH) // timedelta(milliseconds=1)


class _KeySlots:
    """What one run of a change read (raw, to compare) and wants written."""

    def __init__(self, client: "redis.Redis", prefetch: Sequence[Slot], window: timedelta) -> None:
        self.client, self.window = client, window
        self.read: dict[str, bytes | str] = {}
        self.writes: dict[str, bytes] = {}  # b"" to delete
        if prefetch:
            names = [name(*slot) for slot in prefetch]
            self.read.update(zip(names, (raw or b"" for raw in client.mget(names)), strict=True))

    def load(self, kind: str, key: str) -> State:
        key_name = name(kind, key)
        if key_name in self.writes:
            return loads(self.writes[key_name])
        if key_name not in self.read:
            self.read[key_name] = self.client.get(key_name) or b""
        return loads(self.read[key_name])

    def save(self, kind: str, key: str, state: State) -> None:
        self.writes[name(kind, key)] = dumps(state)

    def delete(self, kind: str, key: str) -> None:
        self.writes[name(kind, key)] = b""

    def commit(self, script: Any) -> bool:
        if not self.writes:
            return True  # read only (a refusal): it decided on states as they were, nothing to guard
        keys = list(self.read) + [k for k in self.writes if k not in self.read]
        args: list[Any] = [len(self.read), *self.read.values()]
        for key_name, value in self.writes.items():
            at = expire_at(loads(value), self.window) if value else 0
            args += [keys.index(key_name) + 1, value, at]
        return bool(script(keys=keys, args=args))


class RedisStore:
    def __init__(self, client: "redis.Redis") -> None:
        self.client = client
        self._compare_and_set = client.register_script(COMPARE_AND_SET)

    @classmethod
    def from_url(cls, url: str, **timeouts: float) -> "RedisStore":
        # One pool per process (the store is built once). Timeouts: a Redis that hangs answers
        # the 503 page (redis TimeoutError is an outage for ops/outage.py) instead of hanging.
        return cls(redis.Redis.from_url(url, **(timeouts or TIMEOUTS)))

    def atomically(
        self, change: Callable[[Slots], T], prefetch: Sequence[Slot] = (), *, window: timedelta = throttle.IP_WINDOW
    ) -> T:
        names: list[Slot] = list(prefetch)
        for _ in range(CONFLICT_RETRIES):
            slots = _KeySlots(self.client, names, window)
            result = change(slots)
            if slots.commit(self._compare_and_set):
                return result
            names = [_slot(key_name) for key_name in slots.read]  # read again, at once, what it needed
        raise redis.exceptions.TimeoutError("throttle state kept changing under this attempt")

    def peek(self, kind: str, key: str) -> State:
        return loads(self.client.get(name(kind, key)))

    def delete(self, kind: str, keys: Sequence[str]) -> None:
        if keys:
            self.client.delete(*(name(kind, key) for key in keys))

    def give_back_address(self, key: str) -> None:
        def give_back(slots: Slots) -> None:
            state = slots.load(Throttle.IP, key)
            if state == State():
                return  # nothing kept: nothing to write
            if state.failures <= 1 and state.paused_until is None:
                slots.delete(Throttle.IP, key)
            elif state.failures > 0:
                slots.save(Throttle.IP, key, replace(state, failures=state.failures - 1))

        self.atomically(give_back, [(Throttle.IP, key)])

    def window_take(self, kind: str, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        def take(slots: Slots) -> bool:
            state = slots.load(kind, key)
            if state.window_start is None or now - state.window_start >= window:
                state = State(window_start=now)
            if state.failures >= limit:
                return False
            slots.save(kind, key, replace(state, failures=state.failures + 1))
            return True

        return self.atomically(take, [(kind, key)], window=window)

    def window_give_back(self, kind: str, key: str) -> None:
        def give_back(slots: Slots) -> None:
            state = slots.load(kind, key)
            if state.failures:
                slots.save(kind, key, replace(state, failures=state.failures - 1))

        # Recovery's windows are at most a day: a state kept that long is kept long enough.
        self.atomically(give_back, [(kind, key)], window=timedelta(days=1))

    def entries(self, kind: str | None = None) -> list[tuple[str, str, State]]:
        found = []
        for key_name in self.client.scan_iter(match=name(kind or "*", "*"), count=1000):
            found.append((*_slot(key_name.decode()), loads(self.client.get(key_name))))
        return found

    def put(self, kind: str, key: str, state: State) -> None:
        def overwrite(slots: Slots) -> None:
            slots.load(kind, key)
            slots.save(kind, key, state)

        self.atomically(overwrite, window=timedelta(days=1))


def _slot(key_name: str) -> Slot:
    _, kind, key = key_name.rsplit(":", 2)
    return kind, key
