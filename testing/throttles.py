"""Reading and editing throttle states in tests and benches, whichever store holds them
(database rows on the embedded path, Redis on the scale-out path): the same tests pass on both.

Also a redis-server of the test's own (a free port, no persistence, a temporary folder) for
the tests of the Redis store that must run on the embedded path too, and stop it at will.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis

from accounts.actions import throttling
from accounts.throttle import State
from accounts.throttle_stores.redis import RedisStore
from testing.net import free_port

READY_SECONDS = 15
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


class RedisServer:
    """redis-server on a free loopback port, no persistence (--save '' and no AOF)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="guichet-throttle-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the server's own log, closed with it
        self.process = subprocess.Popen(command, stdout=log, stderr=log)  # noqa: S603 - fixed arguments
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                probe.ping()
                break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.folder / "redis.log").read_text(errors="replace")[-2000:]) from None
                time.sleep(0.02)  # the pause between two looks, not a guessed duration
            finally:
                probe.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def store(self) -> RedisStore:
        return RedisStore.from_url(self.url)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
