"""The argon2 ceiling of this machine, measured now: one hashing process per core, as long as asked.

Measured rather than computed from one hash's time: the 2 cores are shared (other jobs,
turbo, the client), and a ratio means something only against the same conditions.
"""

import multiprocessing
import os
import sys
import time
import typing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

if typing.TYPE_CHECKING:
    import argon2


def cores() -> int:
    return len(os.sched_getaffinity(0))


def _hasher() -> "argon2.PasswordHasher":
    """argon2's own hasher with Guichet's parameters (no Django settings needed)."""
    import argon2

    from accounts.hashers import Argon2idHasher as Guichet

    return argon2.PasswordHasher(
        time_cost=Guichet.time_cost,
        memory_cost=Guichet.memory_cost,
        parallelism=Guichet.parallelism,
        type=argon2.Type.ID,
    )


def _hash_for(seconds: float) -> tuple[int, float]:
    """Verifications done in `seconds`, and the CPU seconds they took."""
    hasher = _hasher()
    encoded = hasher.hash("Matin-de-rentree-8h00")
    done, cpu, deadline = 0, time.process_time(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        hasher.verify(encoded, "Matin-de-rentree-8h00")
        done += 1
    return done, time.process_time() - cpu


def hash_limit(seconds: float) -> tuple[float, float]:
    """(hashes per second with every core hashing, CPU seconds per hash)."""
    n = cores()
    with multiprocessing.get_context("fork").Pool(n) as pool:
        began = time.monotonic()
        counts = pool.map(_hash_for, [seconds] * n)
        elapsed = time.monotonic() - began
    done = sum(c for c, _ in counts)
    return done / elapsed, sum(t for _, t in counts) / max(done, 1)
