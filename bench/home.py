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
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds a server gets to answer
STOP_TIMEOUT = 10.0  # seconds a server gets to exit after SIGTERM, before SIGKILL
WARMUP_SECONDS = 1
INSTALL_HINT = "Debian/Ubuntu, as root: apt-get install --no-install-recommends nginx-light wrk"


class BenchError(Exception):
    pass


@dataclass
class Result:
    target: str
    size: int
    rps: float
    p50: float  # seconds
    p90: float
    p99: float
    requests: int
    errors: int


# --- processes -----------------------------------------------------------------------

_started: list[subprocess.Popen] = []


def start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """A server in its own session, so Ctrl-C reaches us only and we stop it in order."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    _started.append(proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, wait, then SIGKILL its process group (its own, led by proc: the group id is proc.pid)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # Still running, so the group id cannot have been reused: the master and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)
    if proc in _started:
        _started.remove(proc)


def stop_all() -> None:
    for proc in reversed(list(_started)):
        stop(proc)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str = "/", timeout: float = 2.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_up(proc: subprocess.Popen, port: int, path: str, log: Path, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{name} exited with status {proc.returncode}:\n{tail(log)}")
        try:
            status, _ = get(port, path, timeout=1.0)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"{name} did not answer on {HOST}:{port}{path} within {START_TIMEOUT:.0f}s:\n{tail(log)}")


# --- Guichet -------------------------------------------------------------------------


def guichet_env(var_dir: Path, cache_seconds: int) -> dict[str, str]:
    """The caller's environment without any Guichet, database or Redis setting, plus ours."""
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
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare(env: dict[str, str], log: Path) -> None:
    """Migrate the throwaway database, load the set-up, collect static files (staticfiles/, git-ignored)."""
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for args in (
        ["generate_keys"],
        ["migrate", "--noinput", "-v0"],
        ["load_setup"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        with log.open("ab") as out:
            done = subprocess.run(
                manage + args, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=300
            )
        if done.returncode:
            raise BenchError(f"manage.py {args[0]} failed ({done.returncode}):\n{tail(log)}")


def gunicorn_bin() -> str:
    local = BASE_DIR / ".venv" / "bin" / "gunicorn"
    found = str(local) if local.exists() else shutil.which("gunicorn")
    if not found:
        raise BenchError("gunicorn not found: run `make deps` (it installs requirements.txt into .venv)")
    return found


def start_gunicorn(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [
        gunicorn_bin(),
        "guichet.wsgi",
        "--no-control-socket",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
    ]
    proc = start(cmd, log, env)
    wait_until_up(proc, port, "/healthz", log, "gunicorn")
    return proc, port


# --- nginx ---------------------------------------------------------------------------


def nginx_bin() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not found:
        raise BenchError(f"nginx not found (the baseline). {INSTALL_HINT}")
    return found


def nginx_config(root: Path, port: int, workers: int, nginx: str) -> str:
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True, timeout=10).stderr
    # Every temporary directory the binary was built with goes under our own directory.
    temp_paths = "".join(
        f"    {kind}_temp_path {root / 'tmp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        if f"--http-{kind.replace('_body', '-body')}-temp-path" in built
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes {workers};\n"
        "daemon off;\n"
        f"pid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    access_log off;\n"
        "    sendfile on;\n"
        "    default_type text/html;\n"
        f"{temp_paths}"
        "    server {\n"
        f"        listen {HOST}:{port};\n"
        f"        root {root / 'www'};\n"
        "        index index.html;\n"
        "    }\n"
        "}\n"
    )


def start_nginx(root: Path, html: bytes, workers: int) -> tuple[subprocess.Popen, int]:
    nginx = nginx_bin()
    (root / "www").mkdir(parents=True)
    (root / "tmp").mkdir()
    (root / "www" / "index.html").write_bytes(html)  # the same bytes, hence exactly the same size
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(nginx_config(root, port, workers, nginx))
    log = root / "stderr.log"
    proc = start([nginx, "-p", f"{root}/", "-e", str(root / "error.log"), "-c", str(conf)], log, dict(os.environ))
    wait_until_up(proc, port, "/", root / "error.log", "nginx")
    status, body = get(port)
    if status != 200 or len(body) != len(html):
        raise BenchError(f"nginx served {status} with {len(body)} bytes instead of {len(html)}")
    return proc, port


# --- load ----------------------------------------------------------------------------

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"unexpected wrk time {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def run_wrk(wrk: str, port: int, seconds: int, connections: int) -> tuple[float, dict[int, float], int, int]:
    threads = min(2, connections)
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://{HOST}:{port}/"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode or "Requests/sec:" not in out:
        raise BenchError(f"wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    percentiles = {int(p): _seconds(t) for p, t in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE)}
    requests = int(re.search(r"(\d+) requests in", out)[1])
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors += int(non_2xx[1]) if non_2xx else 0
    return rps, percentiles, requests, errors


def run_python(port: int, seconds: int, connections: int) -> tuple[float, dict[int, float], int, int]:
    """wrk's stand-in: one thread per connection, keep-alive when the server allows it."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def client(slot: int) -> None:
        conn = None
        while time.monotonic() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, port, timeout=5.0)
                began = time.perf_counter()
                conn.request("GET", "/")
                response = conn.getresponse()
                response.read()
                latencies[slot].append(time.perf_counter() - began)
                if response.status >= 400:
                    errors[slot] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - began
    samples = sorted(x for slot in latencies for x in slot)
    if not samples:
        raise BenchError("the Python client completed no request")
    percentiles = {p: samples[min(len(samples) - 1, int(len(samples) * p / 100))] for p in (50, 90, 99)}
    return len(samples) / elapsed, percentiles, len(samples), sum(errors)


def load(target: str, size: int, port: int, seconds: int, connections: int, wrk: str | None) -> Result:
    def run(duration: int):
        return run_wrk(wrk, port, duration, connections) if wrk else run_python(port, duration, connections)

    run(WARMUP_SECONDS)  # imports, template loading, first cache fill, connection set-up
    rps, pct, requests, errors = run(seconds)
    return Result(target, size, rps, pct[50], pct[90], pct[99], requests, errors)


# --- report --------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def report(results: list[Result]) -> None:
    header = ("target", "bytes", "requests/s", "p50", "p90", "p99")
    rows = [(r.target, str(r.size), f"{r.rps:,.0f}", ms(r.p50), ms(r.p90), ms(r.p99)) for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for i, row in enumerate([header, *rows]):
        print(
            "  ".join(
                cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=positive, default=10, help="measured seconds per target (default 10)")
    parser.add_argument("--connections", type=positive, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=positive, default=2, help="gunicorn workers = nginx workers (default 2)")
    args = parser.parse_args()

    # SIGTERM and SIGHUP unwind like Ctrl-C, through the finally below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))

    wrk = shutil.which("wrk")
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
        var_dir = tmp / "var"
        log = tmp / "guichet.log"
        print(
            f"{args.workers} workers, {args.connections} connections, {args.seconds}s per target "
            f"(+{WARMUP_SECONDS}s warm-up), client {'wrk' if wrk else 'python'}, {os.cpu_count()} CPUs shared "
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
            proc, port = start_gunicorn(guichet_env(var_dir, cache_seconds), args.workers, log)
            try:
                status, body = get(port)
                if status != 200:
                    raise BenchError(f"GET / answered {status}:\n{tail(log)}")
                html = html or body
                results.append(load(target, len(body), port, args.seconds, args.connections, wrk))
            finally:
                stop(proc)

        print("loading nginx static file …", flush=True)
        proc, port = start_nginx(tmp / "nginx", html, args.workers)
        try:
            results.append(load("nginx static file", len(html), port, args.seconds, args.connections, wrk))
        finally:
            stop(proc)

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
