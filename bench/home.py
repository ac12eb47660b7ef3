"""Home page throughput and latency under gunicorn, beside nginx serving the same bytes.

    .venv/bin/python bench/home.py [--seconds 10] [--connections 16] [--workers 2]

Everything runs on 127.0.0.1 in a throwaway environment: a temporary GUICHET_VAR_DIR
(SQLite, secret), the shipped Poitiers set-up, local-memory cache, plain HTTP. Three
targets are loaded one after the other, each alone on the machine: Guichet with the page
cache on, Guichet with it off (GUICHET_PAGE_CACHE_SECONDS=0), and nginx serving a static
file holding the home page's exact HTML. Needs nginx and wrk (Debian: apt-get install
nginx-light wrk); without wrk a small Python client stands in, with lower ceilings.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib.guichet import Pool, guichet_env, prepare, start_gunicorn
from lib.nginx import nginx_bin, start_static
from lib.procs import INSTALL_HINT, BenchError, get, stop, stop_all, tail
from lib.table import ms, table
from lib.wrk import WARMUP_SECONDS, Result, load, wrk_bin

# --- report --------------------------------------------------------------------------


def report(results: list[Result]) -> None:
    header = ("target", "bytes", "requests/s", "p50", "p90", "p99")
    rows = [(r.target, str(r.size), f"{r.rps:,.0f}", ms(r.p50), ms(r.p90), ms(r.p99)) for r in results]
    table(header, rows)
    for r in results:
        if r.errors:
            print(f"warning: {r.target}: {r.errors} errors out of {r.requests} requests — figures are suspect")

    by_name = {r.target: r for r in results}
    nginx = by_name["nginx static file"]
    on, off = by_name["guichet, page cache on"], by_name["guichet, page cache off"]
    print()
    for page in (on, off):
        print(
            f"nginx / {page.target}: throughput {nginx.rps / page.rps:.1f}x, "
            f"p50 latency {nginx.p50 / page.p50:.3f} (guichet's p50 is {page.p50 / nginx.p50:.1f}x nginx's)"
        )
    print(
        f"page cache on / off: throughput {on.rps / off.rps:.2f}x, "
        f"p50 latency {on.p50 / off.p50:.2f} (cache off costs {ms(off.p50 - on.p50)} at p50)"
    )


# --- main ----------------------------------------------------------------------------


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def measure(tmp: Path, args: argparse.Namespace, results: list[Result]) -> None:
    """Guichet with the page cache on, then off, then nginx serving the same bytes."""
    var_dir = tmp / "var"
    log = tmp / "guichet.log"
    print(
        f"{args.workers} workers, {args.connections} connections, {args.seconds}s per target "
        f"(+{WARMUP_SECONDS}s warm-up), client {'wrk' if wrk_bin() else 'python'}, {os.cpu_count()} CPUs shared "
        f"by client and server; scratch {tmp}",
        flush=True,
    )
    load1 = os.getloadavg()[0]
    if load1 > 0.5 * (os.cpu_count() or 1):
        print(f"warning: the machine is busy (load {load1:.1f}): figures will be noisy", flush=True)
    print("preparing: migrate, load_setup, collectstatic …", flush=True)
    prepare(guichet_env(var_dir, 300), log)

    html = b""
    for target, cache_seconds in (("guichet, page cache on", 300), ("guichet, page cache off", 0)):
        print(f"loading {target} …", flush=True)
        server = start_gunicorn(guichet_env(var_dir, cache_seconds), log, Pool(workers=args.workers), conf=False)
        proc, port = server.proc, server.port
        try:
            status, body = get(port)
            if status != 200:
                raise BenchError(f"GET / answered {status}:\n{tail(log)}")
            html = html or body
            results.append(load(target, len(body), port, args.seconds, args.connections))
        finally:
            stop(proc)

    print("loading nginx static file …", flush=True)
    proc, port = start_static(tmp / "nginx", {"/": html}, args.workers)
    try:
        results.append(load("nginx static file", len(html), port, args.seconds, args.connections))
    finally:
        stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=positive, default=10, help="measured seconds per target (default 10)")
    parser.add_argument("--connections", type=positive, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=positive, default=2, help="gunicorn workers = nginx workers (default 2)")
    args = parser.parse_args()

    # SIGTERM and SIGHUP unwind like Ctrl-C, through the finally below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))

    wrk = wrk_bin()
    try:
        nginx_bin()  # fail before any set-up work
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not wrk:
        print(f"note: wrk not found, using the Python client (slower ceiling). {INSTALL_HINT}", file=sys.stderr)

    tmp = Path(tempfile.mkdtemp(prefix="guichet-bench-"))
    results: list[Result] = []
    try:
        measure(tmp, args, results)
        report(results)
        return 0
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # cleanup is bounded by STOP_TIMEOUT; let it finish
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
