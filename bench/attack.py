"""Attacks a running Guichet as the security review of issue 10 did, and prints the figures.

    .venv/bin/python bench/attack.py [--url URL] [--only NAME ...] [--list] [--inherit-env]

Not a test: it prints figures, and says after each module whether the targets the issue
sets for it are met (the exit status is 1 when one is not).

Without --url it starts its own instance on a free loopback port, as `make run` does:
gunicorn (threaded workers, so 32 requests really run at once) and the outbox worker, with
a throwaway GUICHET_VAR_DIR (SQLite, keys), the shipped Poitiers set-up, the demo accounts,
mail and SMS written to files, and GUICHET_BEHIND_PROXY=1: the last X-Forwarded-For hop is
then the client's address (audit.actions.client_ip), which is how one loopback client plays
thousands of addresses, IPv4 and IPv6. DATABASE_URL and REDIS_URL from the caller are
ignored unless --inherit-env is given (the PostgreSQL + Redis path). With --url it targets
that instance instead; this process must then share its database (same DATABASE_URL or
GUICHET_VAR_DIR in the environment), because attacks create their victims and read counters
through the ORM, and the instance must run with GUICHET_BEHIND_PROXY=1 and GUICHET_HTTPS=0.

Attack modules: every bench/attacks/<name>.py whose name does not start with "_", run in
name order (each on the same instance; an attack uses its own accounts and addresses, so
they do not disturb each other). A module has this shape:

    FINDINGS = (4,)                      # numbers of the findings of issue 10 it reproduces
    TITLE = "Anyone can lock a person out"

    def run(target: attacks._common.Target) -> dict:
        return {
            "figures": {"label": 12, "other label": "3.4 %", ...},   # printed as they come
            "checks": {"target of the issue, said plainly": True, ...},  # True when met
        }

`target` gives the base URL, browsers speaking from any address (`target.browser(ip)`:
CSRF handled, X-Forwarded-For set), account creation (`target.account(...)`), a thread
pool (`target.parallel(fn, items, workers)`) and `target.started` (True when this driver
started the instance, so its database is fresh). Django is set up in this process with the
instance's settings before any module is imported, so modules may use the ORM freely.
Each module must stay bounded in time (well under a minute on a laptop): simulate long
periods by moving timestamps in the database rather than by waiting.
"""

import argparse
import importlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ATTACKS = Path(__file__).resolve().parent / "attacks"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _instance_env(inherit: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_") and k != "PYTEST_VERSION"}
    if not inherit:
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="guichet.settings",
        GUICHET_VAR_DIR=tempfile.mkdtemp(prefix="guichet-attack-"),
        GUICHET_HTTPS="0",
        GUICHET_BEHIND_PROXY="1",
        GUICHET_DEMO="1",
        GUICHET_EMAIL_BACKEND="file",
        GUICHET_SMS_BACKEND="file",
        GUICHET_LOG_LEVEL="WARNING",
        GUICHET_HUEY_IMMEDIATE="0",
    )
    return env


def _start(env: dict[str, str]) -> tuple[str, list[subprocess.Popen[bytes]]]:
    python = sys.executable
    for command in (
        ["generate_keys"],  # keys are never made at start-up (issue 8): the bench makes its own
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["load_setup"],
        ["sync_oidc_clients"],
        ["load_demo"],
    ):
        done = subprocess.run([python, "manage.py", *command], cwd=BASE_DIR, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {command[0]} failed:\n{done.stderr}")
    port = _free_port()
    log = open(Path(env["GUICHET_VAR_DIR"]) / "server.log", "wb")  # noqa: SIM115 - lives as long as the servers
    gunicorn = [str(Path(python).parent / "gunicorn"), "guichet.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*gunicorn, "--workers", "2", "--worker-class", "gthread", "--threads", "16", "--no-control-socket"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )
    worker = subprocess.Popen(
        [python, "manage.py", "run_huey", "--quiet"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit(f"gunicorn did not start; see {log.name}")
    return f"http://127.0.0.1:{port}", [server, worker]


def _modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in ATTACKS.glob("*.py") if not p.stem.startswith("_"))
    return [n for n in names if not only or n in only]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="target this running instance instead of starting one")
    parser.add_argument("--only", nargs="*", default=[], help="module names under bench/attacks/")
    parser.add_argument("--list", action="store_true", help="list the attack modules and stop")
    parser.add_argument("--inherit-env", action="store_true", help="keep DATABASE_URL and REDIS_URL")
    args = parser.parse_args()

    sys.path[:0] = [str(BASE_DIR), str(ATTACKS.parent)]
    names = _modules(args.only)
    if args.list:
        print("\n".join(names))
        return

    processes: list[subprocess.Popen[bytes]] = []
    if args.url:
        base_url = args.url.rstrip("/")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
    else:
        env = _instance_env(args.inherit_env)
        base_url, processes = _start(env)
        os.environ.clear()
        os.environ.update(env)
        print(f"Guichet started at {base_url} (GUICHET_VAR_DIR={env['GUICHET_VAR_DIR']})")
    try:
        import django

        django.setup()
        from attacks._common import Target

        target = Target(base_url=base_url, started=not args.url)
        failed = _run_all(target, names)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    sys.exit(1 if failed else 0)


def _run_all(target: object, names: list[str]) -> int:
    failed = 0
    for name in names:
        module = importlib.import_module(f"attacks.{name}")
        findings = ", ".join(str(n) for n in getattr(module, "FINDINGS", ()))
        print(f"\n== {name}: finding {findings} - {module.TITLE}")
        started = time.monotonic()
        try:
            result = module.run(target)
        except Exception:  # one broken attack must not hide the others' figures
            traceback.print_exc()
            failed += 1
            continue
        for label, value in result.get("figures", {}).items():
            print(f"   {label}: {value}")
        for label, passed in result.get("checks", {}).items():
            print(f"   [{'ok' if passed else 'FAIL'}] {label}")
            failed += not passed
        print(f"   ({time.monotonic() - started:.1f} s)")
    print(f"\n{'all targets met' if not failed else f'{failed} target(s) not met'}")
    return failed


if __name__ == "__main__":
    main()
