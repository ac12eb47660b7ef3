"""Reading and editing throttle states in tests and benches, whichever store holds them
(database rows on the embedded path, Redis on the scale-out path): the same tests pass on both.

Also a redis-server of the test's own (testing/redis_server.py) with its throttle store, for
the tests of the Redis store that must run on the embedded path too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import timedelta
from typing import Any

from accounts.actions import throttling
from accounts.throttle import State
from accounts.throttle_stores.redis import RedisStore
from testing import redis_server as redis_server_module

STATE_FIELDS = {field.name for field in fields(State)}


def states(kind: str | None = None) -> list[State]:
    return [state for _, _, state in throttling.store().entries(kind)]


def state(kind: str, key: str) -> State:
    return throttling.peek_state(kind, key)


def account(identifier: str) -> State:
    return state("account", throttling.account_key(identifier))


def exists(kind: str | None = None, keys: list[str] | None = None) -> bool:
    return any(keys is None or key in keys for _, key, _ in throttling.store().entries(kind))


def create(kind: str, key: str, **values: Any) -> None:
    """Store a state as if it had been reached (values: throttle.State's fields)."""
    values["recent"] = tuple(values.get("recent", ()))
    throttling.store().put(kind, key, State(**values))


def edit(kind: str | None = None, key: str | None = None, **changes: Any) -> int:
    """Change these fields of every stored state of `kind` (and `key`); how many there were."""
    assert set(changes) <= STATE_FIELDS, changes
    if "recent" in changes:
        changes["recent"] = tuple(changes["recent"])
    edited = 0
    for found_kind, found_key, found in throttling.store().entries(kind):
        if key is None or found_key == key:
            throttling.store().put(found_kind, found_key, replace(found, **changes))
            edited += 1
    return edited


def end_pauses() -> None:
    """The clock moves on: every pause and block is over."""
    from django.utils import timezone

    past = timezone.now() - timedelta(seconds=1)
    for kind, key, found in throttling.store().entries():
        if found.paused_until is not None:
            throttling.store().put(kind, key, replace(found, paused_until=past))


def forget_all() -> None:
    for kind, key, _ in throttling.store().entries():
        throttling.store().delete(kind, [key])


def stored_text() -> str:
    """Everything the store holds, as text: its keys and states."""
    return "\n".join(f"{kind} {key} {found}" for kind, key, found in throttling.store().entries())


class RedisServer(redis_server_module.RedisServer):
    def store(self) -> RedisStore:
        return RedisStore.from_url(self.url)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    with redis_server_module.running(RedisServer()) as server:
        yield server
