"""The set-up's revision as this process knows it, and values kept per revision.

Every change to the set-up bumps `Revision` (institutions/signals.py); what is derived from
the set-up can therefore live in the process until the number moves. The number itself is
read at most every GUICHET_REVISION_TTL seconds (1 s in production, 0 in the tests): at the
8 a.m. peak that is one query per second per process instead of one per lookup.
"""

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings

from .models import Revision

T = TypeVar("T")


@dataclass
class _Known:
    number: int = 0
    read_at: float = float("-inf")


_revision = _Known()
_held: "weakref.WeakSet[PerRevision[Any]]" = weakref.WeakSet()


def forget() -> None:
    """Drop what this process holds (the tests: each rolls the revision back at its end)."""
    _revision.read_at = float("-inf")
    for value in list(_held):
        value.forget()


def current_revision() -> int:
    now = time.monotonic()
    if now - _revision.read_at >= settings.GUICHET_REVISION_TTL:
        _revision.number, _revision.read_at = Revision.current(), now
    return _revision.number


class PerRevision(Generic[T]):
    """`build()` once per set-up revision in this process (a lock: one build, not one per thread)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: tuple[int, T] | None = None
        _held.add(self)

    def forget(self) -> None:
        self._value = None

    def get(self) -> T:
        revision = current_revision()
        held = self._value
        if held is not None and held[0] == revision:
            return held[1]
        with self._lock:
            held = self._value
            if held is None or held[0] != revision:
                held = (revision, self._build())
                self._value = held
        return held[1]
