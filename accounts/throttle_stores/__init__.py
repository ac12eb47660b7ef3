"""Where throttle.State is kept: database rows (the embedded set-up) or Redis (the scale-out path).

accounts/actions/throttling.py holds the logic (what a reservation reads, decides, writes);
a store only loads and saves states, atomically. Both stores have the same shape, so the
same tests run against either (testing/throttles.py reads and edits states through it).
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from django.conf import settings

from ..throttle import State

T = TypeVar("T")
Slot = tuple[str, str]  # (kind, keyed digest): Throttle.KINDS, accounts/actions/throttling.py's keys


class Slots(Protocol):
    """The states one atomic change reads and writes. A store may run `change` more than once
    (Redis: when another node wrote a state it read in between), so it only reads and writes
    through these, and memoises anything else it does."""

    def load(self, kind: str, key: str) -> State: ...

    def save(self, kind: str, key: str, state: State) -> None: ...

    def delete(self, kind: str, key: str) -> None: ...


class ThrottleStore(Protocol):
    def atomically(self, change: Callable[[Slots], T], prefetch: Sequence[Slot] = ()) -> T:
        """change(slots), its reads and writes one atomic whole; `prefetch` names the states it
        will surely read (a store may fetch them together)."""
        ...

    def peek(self, kind: str, key: str) -> State: ...

    def delete(self, kind: str, keys: Sequence[str]) -> None: ...

    def give_back_address(self, key: str) -> None:
        """Un-count one failure of this address key; forget it when nothing is left."""
        ...

    def window_take(self, kind: str, key: str, limit: int, window: timedelta, now: datetime) -> bool: ...

    def window_give_back(self, kind: str, key: str) -> None: ...

    # For the tests and the benches (testing/throttles.py), never for a request.
    def entries(self, kind: str | None = None) -> list[tuple[str, str, State]]: ...

    def put(self, kind: str, key: str, state: State) -> None: ...


def from_settings() -> ThrottleStore:
    """settings.GUICHET_THROTTLE_STORE: "redis" (settings.REDIS_URL) or "database"."""
    if settings.GUICHET_THROTTLE_STORE == "redis":
        from .redis import RedisStore

        # The cache's timeouts when settings name them (a hung Redis is a 503, not a hang).
        return RedisStore.from_url(settings.REDIS_URL, **getattr(settings, "REDIS_TIMEOUTS", {}))
    from .database import DatabaseStore

    return DatabaseStore()
