"""A throwaway Guichet on loopback: environment, database set-up, gunicorn with deploy/'s conf."""

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .procs import BASE_DIR, HOST, BenchError, free_port, start, tail, wait_until_up

GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"


def guichet_env(var_dir: Path, cache_seconds: int = 300, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without any Guichet, database or Redis setting, plus ours.

    `extra` adds settings (DATABASE_URL, REDIS_URL, GUICHET_LDAP_URL …) on top.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GUICHET_") and k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.pop("PYTEST_VERSION", None)
    env.update(
        GUICHET_VAR_DIR=str(var_dir),
        GUICHET_SECRET_KEY=secrets.token_urlsafe(50),
        GUICHET_HTTPS="0",
        GUICHET_TESTING="0",
        GUICHET_PAGE_CACHE_SECONDS=str(cache_seconds),
        GUICHET_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra or {})
    return env


def manage(env: dict[str, str], log: Path, *args: str, stdin: str | None = None) -> None:
    with log.open("ab") as out:
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env=env,
            input=stdin.encode() if stdin is not None else None,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            timeout=600,
        )
    if done.returncode:
        raise BenchError(f"manage.py {args[0]} failed ({done.returncode}):\n{tail(log)}")


def prepare(env: dict[str, str], log: Path, static: bool = True) -> None:
    """Migrate the throwaway database, load the set-up, collect static files (staticfiles/, git-ignored)."""
    manage(env, log, "generate_keys")
    manage(env, log, "migrate", "--noinput", "-v0")
    manage(env, log, "load_setup")
    if static:
        manage(env, log, "collectstatic", "--noinput", "-v0")


def gunicorn_bin() -> str:
    local = BASE_DIR / ".venv" / "bin" / "gunicorn"
    found = str(local) if local.exists() else shutil.which("gunicorn")
    if not found:
        raise BenchError("gunicorn not found: run `make deps` (it installs requirements.txt into .venv)")
    return found


@dataclass
class Pool:
    """How one gunicorn is run: deploy/gunicorn.conf.py, unless the flags below override it."""

    workers: int | None = None  # None: the conf's count
    worker_class: str | None = None
    threads: int | None = None
    cpus: set[int] | None = None  # taskset-like pinning of master and workers
    nice: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def flags(self) -> list[str]:
        flags = ["--workers", str(self.workers)] if self.workers else []
        flags += ["--worker-class", self.worker_class] if self.worker_class else []
        flags += ["--threads", str(self.threads)] if self.threads else []
        return flags


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_gunicorn(env: dict[str, str], log: Path, pool: Pool | None = None, conf: bool = True) -> Server:
    """gunicorn on a free port; with `conf`, deploy/gunicorn.conf.py (access log off: it costs CPU)."""
    pool = pool or Pool()
    port = free_port()
    cmd = [gunicorn_bin(), "guichet.wsgi", "--no-control-socket", "--bind", f"{HOST}:{port}"]
    if conf:
        # No recycling during a run: CPU time is read from the live workers.
        cmd += ["-c", str(GUNICORN_CONF), "--access-logfile", "/dev/null", "--max-requests", "0"]
    proc = start(cmd + pool.flags(), log, {**env, **pool.env}, pool.cpus, pool.nice)
    wait_until_up(proc, port, "/healthz", log, "gunicorn")
    return Server(proc, port)
