"""The machine's PostgreSQL and Redis for the scale-out leg: a database and a Redis db of the bench's own."""

from collections.abc import Iterator
from contextlib import contextmanager

from .procs import BenchError

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"  # where CREATE DATABASE is said
DATABASE = "peak_bench"
REDIS_URL = "redis://127.0.0.1:6379/9"  # db 9: the bench's, flushed before and after


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.encode())  # fixed statements of this module, no parameters


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).flushdb()


def check() -> str | None:
    """Why the PostgreSQL + Redis leg cannot run here, or None."""
    try:
        _admin("SELECT 1")
        _flush_redis()
    except Exception as exc:
        return f"PostgreSQL (127.0.0.1:5432, db test) or Redis (127.0.0.1:6379) unreachable: {exc}"
    return None


@contextmanager
def scaleout_env() -> Iterator[dict[str, str]]:
    """DATABASE_URL and REDIS_URL of a fresh database peak_bench and Redis db 9, dropped on exit."""
    try:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {DATABASE}")
        _flush_redis()
    except Exception as exc:
        raise BenchError(f"cannot prepare PostgreSQL/Redis: {exc}") from exc
    try:
        yield {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}", "REDIS_URL": REDIS_URL}
    finally:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _flush_redis()
