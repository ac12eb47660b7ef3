"""The 8 a.m. peak: every figure of issue 15 beside its target, from one command, in one run.

    .venv/bin/python bench/peak.py [--quick] [--seconds 10] [--connections 16] [--people 16]
                                   [--designs]

Starts on 127.0.0.1 what it needs: gunicorn with deploy/gunicorn.conf.py (worker class and
count as deployed; no recycling, access log to /dev/null), nginx (serving the same bytes,
then as the proxy), a slapd of its own with 1,000 people, and uses the machine's
PostgreSQL (database peak_bench, created and dropped) and Redis (db 9, flushed). 1,000
bench accounts are made directly in the database; every simulated person comes from an
address of their own (GUICHET_BEHIND_PROXY=1 and X-Forwarded-For), so the address rule
never mistakes the bench for a sprayer. Prints, in order:

1. home and /login/ req/s and p99 beside nginx serving the same bytes (wrk; medians of
   three rounds, each target in turn within a round);
2. full sign-ins per second (GET /login/ + POST) beside the argon2 limit measured now
   (one hashing process per core), on SQLite, then on PostgreSQL + Redis, then with the
   LDAP directory, with the gunicorn workers' CPU time per sign-in (/proc);
3. the home page asked at 20 req/s behind nginx, alone then during a sign-in storm, for
   the deployed design (--designs: for each design compared in the README);
4. people doing home → sign-in → « Mes services » (10 % typing a wrong password first, 5 %
   asking for a reset code first) on one node pinned to core 0, then two nodes on cores 0
   and 1 (sched_setaffinity), both on the scale-out path (PostgreSQL + Redis: two nodes
   share one database as deployed), and the ratio, with the nodes' and the client's CPU per visit
   and the share of the cores left idle.

Clients and servers share the machine: compare figures of the same run. The client of
legs 2 to 4 is this process (bench/lib/client.py, threads over http.client); it prints its
own CPU per sign-in and per visit. Figures are
printed, never asserted: the exit status is 0 when the run completed, 1 when it could not,
2 when a tool is missing (the message says how to install it). --quick keeps the whole
run short (CI): 2-second legs.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib import legs, seed
from lib.guichet import Pool, guichet_env, prepare, start_gunicorn
from lib.journeys import PASSWORD
from lib.ldap import bench_slapd, ldap_identifier
from lib.limits import cores, hash_limit
from lib.nginx import nginx_bin
from lib.procs import BASE_DIR, INSTALL_HINT, BenchError, stop, stop_all
from lib.scaleout import check as scaleout_check
from lib.scaleout import scaleout_env
from lib.wrk import wrk_bin

BEHIND_PROXY = {"GUICHET_BEHIND_PROXY": "1", "GUICHET_EMAIL_BACKEND": "file", "GUICHET_SMS_BACKEND": "file"}

DEPLOYED = legs.Design(
    "as deployed: pages pool + hashing pool (deploy/)",
    Pool(env={"GUICHET_POOL": "pages"}),
    Pool(env={"GUICHET_POOL": "hashing"}),
)

# What `--designs` compares for « hashing must not starve page serving » (README, performance).
DESIGNS = [
    legs.Design("one pool, sync ×3", Pool(3, "sync")),
    legs.Design("one pool, gthread 2×8", Pool(2, "gthread", 8)),
    legs.Design("pages sync ×2 + hashing sync ×2 at nice 10", Pool(2, "sync"), Pool(2, "sync", nice=10)),
    legs.Design("pages gthread 2×4 + hashing sync ×3 at nice 10", Pool(2, "gthread", 4), Pool(3, "sync", nice=10)),
    DEPLOYED,
]


LEGS = ("pages", "signin", "storm", "scale", "pg", "ldap")
_BEGAN = time.monotonic()


def section(title: str, flush: bool = True) -> None:
    print(f"\n== {title}  [{time.monotonic() - _BEGAN:.0f} s]", flush=flush)


def missing_tools() -> list[str]:
    missing = []
    for name, found in (
        ("nginx", shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK)),
        ("wrk", wrk_bin()),
        ("slapd", os.access("/usr/sbin/slapd", os.X_OK)),
    ):
        if not found:
            missing.append(name)
    return missing


def seed_accounts(env: dict[str, str], log: Path, count: int, *extra: str) -> None:
    manage_env = {**env, "DJANGO_SETTINGS_MODULE": "guichet.settings"}

    with log.open("ab") as out:
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "bench" / "lib" / "seed.py"), str(count), PASSWORD, *extra],
            cwd=BASE_DIR,
            env=manage_env,
            stdout=out,
            stderr=out,
            timeout=600,
        )
    if done.returncode:
        raise BenchError(f"seeding bench accounts failed ({done.returncode}); see {log}")


def limit_now(run: legs.Run) -> float:
    rate, cpu = hash_limit(max(1.0, run.seconds / 3))
    run.figure("argon2 limit now (one hashing process per core)", f"{rate:.1f} hashes/s ({cpu * 1000:.1f} ms CPU each)")
    return rate


def sqlite_legs(run: legs.Run, env: dict[str, str], log: Path, designs: list[legs.Design]) -> None:
    if run.wants("pages"):
        section("SQLite: pages, straight from the pages pool")
        server = start_gunicorn(env, log, DEPLOYED.pages)
        try:
            legs.pages(run, server)
        finally:
            stop(server.proc)
    if run.wants("signin"):
        section("SQLite: sign-ins, as deployed (nginx, pages and hashing pools)")
        with legs.deployed(run, env, log, DEPLOYED) as deployment:
            legs.sign_ins(run, "SQLite", deployment, lambda: limit_now(run), seed.identifier)
    if run.wants("storm"):
        section("home page at 20 req/s during a sign-in storm (behind nginx)")
        for design in designs:
            legs.storm(run, env, log, design)


def scaleout_leg(run: legs.Run, log: Path) -> None:
    """On the scale-out path (PostgreSQL + Redis): sign-ins on one node, then the morning's
    people on one node and on two. Two nodes share one database as deployed; on one SQLite
    file they would wait on its single write lock (cores idle), which no deployment does."""
    with scaleout_env() as urls:
        env = guichet_env(run.tmp / "var-pg", extra={**BEHIND_PROXY, **urls})
        prepare(env, log, static=False)
        seed_accounts(env, log, run.accounts)
        if run.wants("pg"):
            section("PostgreSQL + Redis, one node", flush=True)
            with legs.deployed(run, env, log, DEPLOYED) as deployment:
                legs.sign_ins(run, "PostgreSQL + Redis", deployment, lambda: limit_now(run), seed.identifier)
        if run.wants("scale"):
            section("scale-out on PostgreSQL + Redis: people on 1 node (core 0) then 2 nodes (cores 0, 1)")
            if cores() < 2:
                print("  skipped: this machine gives the bench a single core")
                return
            legs.scaling(run, env, log, Pool())


def ldap_leg(run: legs.Run, env: dict[str, str], log: Path) -> None:
    section(f"LDAP directory (slapd, {run.accounts} people), one node", flush=True)
    with bench_slapd(run.accounts, PASSWORD) as slapd:
        ldap = {
            "GUICHET_LDAP_URL": slapd.url,
            "GUICHET_LDAP_BASE_DN": slapd.base_dn,
            "GUICHET_LDAP_BIND_DN": slapd.bind_dn,
            "GUICHET_LDAP_BIND_PASSWORD": slapd.bind_password,
        }
        env = {**env, **ldap}
        seed_accounts(env, log, 0, "ldap")
        with legs.deployed(run, env, log, DEPLOYED) as deployment:
            tally = legs.sign_ins(
                run, "LDAP", deployment, lambda: limit_now(run), ldap_identifier, target="(no hash here)"
            )
    cpu = next(v for label, v, _, _ in reversed(run.lines) if label == "LDAP: CPU per sign-in (workers)")
    run.figure("LDAP: CPU per sign-in", cpu, "≤ 5 ms", float(cpu.split()[0]) <= 5.0 and tally.ok > 0)


def summary(run: legs.Run) -> None:
    section("targets of issue 15")
    for label, value, target, met in run.lines:
        if met is not None:
            print(f"  [{'ok' if met else 'NOT MET'}] {label}: {value}  (target: {target})")


def execute(run: legs.Run, designs: list[legs.Design]) -> None:
    log = run.tmp / "guichet.log"
    env = guichet_env(run.tmp / "var", extra=BEHIND_PROXY)
    section("preparing: migrate, load_setup, collectstatic, bench accounts")
    prepare(env, log)
    seed_accounts(env, log, run.accounts)
    sqlite_legs(run, env, log, designs)
    if run.wants("pg", "scale"):
        scaleout_leg(run, log)
    if run.wants("ldap"):
        ldap_leg(run, env, log)  # last: it hands the University to the LDAP directory
    summary(run)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2-second legs (CI)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per leg (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections / browsers (16)")
    parser.add_argument("--people", type=int, default=16, help="people visiting at once in the scale-out leg (16)")
    parser.add_argument("--designs", action="store_true", help="compare the worker designs during the storm")
    parser.add_argument("--legs", nargs="+", choices=LEGS, default=list(LEGS), help="run only these legs")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 2.0
    return args


def main() -> int:
    args = arguments()
    missing = missing_tools()
    if missing:
        print(f"error: {', '.join(missing)} missing. {INSTALL_HINT}", file=sys.stderr)
        return 2
    if reason := scaleout_check():
        print(f"error: {reason}", file=sys.stderr)
        return 2
    nginx_bin()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    tmp = Path(tempfile.mkdtemp(prefix="guichet-peak-"))
    run = legs.Run(tmp, args.seconds, args.connections, args.people, accounts=1000, legs=set(args.legs))
    began = time.monotonic()
    print(f"{cores()} cores ({cpu_model()}), load {os.getloadavg()[0]:.1f}; {args.seconds:g} s per leg; scratch {tmp}")
    try:
        execute(run, DESIGNS if args.designs else [DEPLOYED])
        print(f"\n({time.monotonic() - began:.0f} s)")
        return 0
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
