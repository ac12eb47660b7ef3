"""Doing something many times at once, as a crowd at 8 a.m. or a script would."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(fn: Callable[[int], T], count: int) -> list[T | None]:
    """fn(i) on `count` threads released together by a barrier; each closes its own database
    connection. The results in order (None where fn raised: the exception is the thread's)."""
    barrier = threading.Barrier(count)
    results: list[T | None] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
