"""A small browser over http.client (cookies, CSRF token, one address) and the drivers that run
many of them: as fast as they go for a while, or at a fixed rate.

http.client rather than requests: the client shares the 2 cores with the servers, and this
costs about a third of requests' CPU per request. Nor Node: a client of the same journeys
with Node's http module (one event loop, a connection per person, as here) spent 3.3–5 ms of
CPU per morning visit where these threads spend 1.7–2.2 ms (2026-12-06, same runs).
"""

import http.client
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from .procs import HOST
from .wrk import percentiles

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's browser at one address: keeps its cookies, never follows redirects."""

    def __init__(self, port: int, ip: str) -> None:
        self.port = port
        self.ip = ip
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {"X-Forwarded-For": self.ip, "User-Agent": "Mozilla/5.0 (peak bench)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: once more
            try:
                self.conn = self.conn or http.client.HTTPConnection(HOST, self.port, timeout=60)
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.close()
        return response.status, content

    def form(self, path: str, fields: dict[str, str]) -> int:
        """GET the page, then POST its form with the CSRF token and `fields`; the POST's status."""
        status, page = self.request("GET", path)
        found = CSRF_INPUT.search(page)
        if status != 200 or not found:
            return status or 599
        return self.request("POST", path, {"csrfmiddlewaretoken": found[1].decode(), **fields})[0]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


@dataclass
class Tally:
    """What a driver counted: successes, failures, and each operation's latency (seconds)."""

    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ok: bool, latency: float) -> None:
        with self.lock:
            self.ok += ok
            self.failed += not ok
            self.latencies.append(latency)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def p(self, pct: int) -> float:
        return percentiles(sorted(self.latencies))[pct]


def drive(one: Callable[[int, int], bool], concurrency: int, seconds: float) -> Tally:
    """`concurrency` threads calling one(thread, iteration) back to back for `seconds`."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    def loop(slot: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                ok = one(slot, n)
            except (OSError, http.client.HTTPException):
                ok = False
            tally.add(ok, time.perf_counter() - began)
            n += 1

    began = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    tally.seconds = time.monotonic() - began
    return tally


def paced(port: int, path: str, rate: float, seconds: float, senders: int = 8) -> Tally:
    """GET `path` at `rate` per second; latency counts from when each request was due, so a
    slow answer that delays the next ones shows in their latency too (no coordinated omission)."""
    tally = Tally()
    total = int(rate * seconds)
    start = time.monotonic() + 0.05
    slots = iter(range(total))
    lock = threading.Lock()

    def sender(slot: int) -> None:
        browser = Browser(port, f"198.51.100.{slot + 1}")
        while True:
            with lock:
                n = next(slots, None)
            if n is None:
                break
            due = start + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                ok = browser.request("GET", path)[0] == 200
            except (OSError, http.client.HTTPException):
                ok = False
            tally.add(ok, time.monotonic() - due)
        browser.close()

    threads = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    tally.seconds = time.monotonic() - start
    return tally
