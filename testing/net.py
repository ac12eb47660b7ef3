"""Loopback helpers shared by the local test servers (Dovecot, slapd, Apache, SMTP, TLS probes):
a free port, and waiting until a freshly started server answers on it."""

import socket
import subprocess
import time
from pathlib import Path

READY_SECONDS = 15


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now (the OS picked it; a test binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_listening(process: subprocess.Popen[bytes], port: int, folder: Path, greeting: bytes = b"* OK") -> None:
    """Return once 127.0.0.1:`port` greets with `greeting`; raise with the server's output
    (`folder`'s *.out and *.log files) if it exits or stays silent for READY_SECONDS."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                if connection.recv(64).startswith(greeting):
                    return
        except OSError:
            pass
        try:  # doubles as the pause between two attempts, and notices an early exit
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        break
    logs = sorted(path for path in folder.iterdir() if path.suffix in (".out", ".log"))
    out = "".join(path.read_text(errors="replace") for path in logs)
    raise RuntimeError(f"{_program(process)} did not start on 127.0.0.1:{port}:\n{out[-2000:]}")


def _program(process: subprocess.Popen[bytes]) -> str:
    args = process.args
    first = args[0] if isinstance(args, list | tuple) else args
    return Path(str(first)).name
