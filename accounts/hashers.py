import time

from django.contrib.auth.hashers import Argon2PasswordHasher
from prometheus_client import Histogram

# Most of a sign-in's CPU is this hash: operators watch it to size the nodes.
HASH_SECONDS = Histogram(
    "guichet_password_hash_seconds",
    "Time to hash or verify one password with argon2id.",
    buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0),
)


class Argon2idHasher(Argon2PasswordHasher):
    """argon2id, m=19 MiB, t=2, p=1: the OWASP baseline, about 25 ms of CPU per sign-in."""

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        started = time.perf_counter()
        try:
            return super().encode(password, salt)
        finally:
            HASH_SECONDS.observe(time.perf_counter() - started)

    def verify(self, password: str, encoded: str) -> bool:
        started = time.perf_counter()
        try:
            return super().verify(password, encoded)
        finally:
            HASH_SECONDS.observe(time.perf_counter() - started)
