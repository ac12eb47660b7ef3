"""Persistent LDAP connections, kept per worker process and per thread (issue 15: opening two
connections per sign-in cost 3.2 ms of CPU of the 16.6 ms an LDAP sign-in took).

ldap3's synchronous connections are not safe to share between threads, so each thread keeps
its own, under a key naming the server and the account it is bound as. A connection is taken
out of its slot while in use and put back only if everything it did succeeded: one that
failed (a restarted server, an idle timeout, a protocol error) is closed and the next use
opens a fresh one. `reusing` tells callers whether they were handed a kept connection, so an
operation that failed on one may be tried once more on a fresh one.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from ldap3 import Connection
from ldap3.core.exceptions import LDAPException

_local = threading.local()
_lock = threading.Lock()
_opened = 0


def _slots() -> dict[tuple[object, ...], Connection]:
    slots: dict[tuple[object, ...], Connection] | None = getattr(_local, "slots", None)
    if slots is None:
        slots = _local.slots = {}
    return slots


def opened() -> int:
    """How many connections this process has opened (tests, and the bench's figures)."""
    return _opened


@dataclass
class Lease:
    conn: Connection
    reused: bool


@contextmanager
def lease(key: tuple[object, ...], open_connection: Callable[[], Connection]) -> Iterator[Lease]:
    """The thread's connection for `key` (opened by `open_connection` when there is none)."""
    global _opened
    conn = _slots().pop(key, None)
    reused = conn is not None and not conn.closed
    if conn is None or not reused:
        conn = open_connection()
        with _lock:
            _opened += 1
    kept = False
    try:
        yield Lease(conn, reused)
        kept = not conn.closed
    finally:
        if kept:
            _slots()[key] = conn
        else:
            close(conn)


def close(conn: Connection) -> None:
    with suppress(LDAPException, OSError):
        conn.unbind()


def forget_all() -> None:
    """Close this thread's kept connections (tests; a settings change)."""
    slots = _slots()
    while slots:
        close(slots.popitem()[1])
