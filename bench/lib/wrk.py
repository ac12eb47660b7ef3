"""Fixed-connection load with wrk (C, cheap) or, without it, a thread-per-connection Python client."""

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

from .procs import HOST, BenchError

WARMUP_SECONDS = 1
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


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


def wrk_bin() -> str | None:
    return shutil.which("wrk")


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"unexpected wrk time {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if not match:
        raise BenchError(f"wrk's output lacks {pattern!r}:\n{text}")
    return match[1]


def run_wrk(wrk: str, port: int, path: str, seconds: int, connections: int) -> tuple[float, dict[int, float], int, int]:
    threads = min(2, connections)
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://{HOST}:{port}{path}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode or "Requests/sec:" not in out:
        raise BenchError(f"wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    rps = float(_found(r"Requests/sec:\s+([\d.]+)", out))
    percentiles = {int(p): _seconds(t) for p, t in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE)}
    requests = int(_found(r"(\d+) requests in", out))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors += int(non_2xx[1]) if non_2xx else 0
    return rps, percentiles, requests, errors


def run_python(port: int, path: str, seconds: int, connections: int) -> tuple[float, dict[int, float], int, int]:
    """wrk's stand-in: one thread per connection, keep-alive when the server allows it."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def client(slot: int) -> None:
        conn: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline:
            try:
                conn = conn or http.client.HTTPConnection(HOST, port, timeout=5.0)
                began = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                latencies[slot].append(time.perf_counter() - began)
                errors[slot] += response.status >= 400
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
    return len(samples) / elapsed, percentiles(samples), len(samples), sum(errors)


def percentiles(samples: list[float]) -> dict[int, float]:
    """p50/p90/p99 of sorted samples (0 when there are none)."""
    if not samples:
        return {50: 0.0, 90: 0.0, 99: 0.0}
    return {p: samples[min(len(samples) - 1, int(len(samples) * p / 100))] for p in (50, 90, 99)}


def load(target: str, size: int, port: int, seconds: int, connections: int, path: str = "/") -> Result:
    wrk = wrk_bin()

    def run(duration: int) -> tuple[float, dict[int, float], int, int]:
        if wrk:
            return run_wrk(wrk, port, path, duration, connections)
        return run_python(port, path, duration, connections)

    run(WARMUP_SECONDS)  # imports, template loading, first cache fill, connection set-up
    rps, pct, requests, errors = run(seconds)
    return Result(target, size, rps, pct[50], pct[90], pct[99], requests, errors)
