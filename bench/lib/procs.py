"""Servers in their own sessions on 127.0.0.1, stopped in order; small HTTP probes."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds a server gets to answer
STOP_TIMEOUT = 10.0  # seconds a server gets to exit after SIGTERM, before SIGKILL
INSTALL_HINT = "Debian/Ubuntu, as root: apt-get install --no-install-recommends nginx-light wrk slapd"


class BenchError(Exception):
    pass


_started: list[subprocess.Popen[bytes]] = []


def start(
    cmd: list[str], log: Path, env: dict[str, str], cpus: set[int] | None = None, nice: int = 0
) -> subprocess.Popen[bytes]:
    """A server in its own session, so Ctrl-C reaches us only and we stop it in order.

    `cpus` pins it (and the workers it forks, which inherit the mask) to those cores; `nice`
    lowers its priority (inherited too).
    """

    def child() -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)
        if nice:
            os.nice(nice)

    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            preexec_fn=child if cpus or nice else None,
        )
    _started.append(proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
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
        return int(sock.getsockname()[1])


def get(port: int, path: str = "/", timeout: float = 2.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_up(proc: subprocess.Popen[bytes], port: int, path: str, log: Path, name: str) -> None:
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


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of a gunicorn master's live workers (its children), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, … utime is field 14 and stime 15 of stat (1-based).
        if int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def cores_idle() -> tuple[int, int]:
    """The machine's idle (and iowait) clock ticks so far, and all its ticks, summed over its cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[3] + fields[4], sum(fields)  # user nice system idle iowait irq softirq steal
