"""A redis-server of the test's own: a free loopback port, no persistence (--save '' and no
AOF), its files in a folder of its own; stopped and started again at will (outage tests)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import redis

from testing.net import free_port

READY_SECONDS = 15


class RedisServer:
    def __init__(self, folder: Path | None = None) -> None:
        self.port = free_port()
        self.folder = folder or Path(tempfile.mkdtemp(prefix="guichet-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the server's own log, closed with it
        self.process = subprocess.Popen(command, stdout=log, stderr=log)  # noqa: S603 - fixed arguments
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                probe.ping()
                break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.folder / "redis.log").read_text(errors="replace")[-2000:]) from None
                time.sleep(0.02)  # the pause between two looks, not a guessed duration
            finally:
                probe.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


Server = TypeVar("Server", bound=RedisServer)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """`server` started, then stopped and its folder removed on exit."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
