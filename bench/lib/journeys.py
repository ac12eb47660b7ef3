"""What one person does, for the drivers of client.py: a sign-in, or the morning's whole visit.

Every person comes from an address of their own (X-Forwarded-For, which the bench's Guichet
trusts with GUICHET_BEHIND_PROXY=1): the address rule of accounts/throttle.py, made for
sprayers, must not see the bench's typos as one loopback address guessing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from .client import Browser

PASSWORD = "Matin-de-rentree-8h00"  # noqa: S105 - the bench accounts' password, a fixture
SIGNED_IN = 302  # the sign-in form redirects to « Mes services »


def address(slot: int, n: int) -> str:
    """A distinct IPv4 per (thread, iteration), from 10.0.0.0/8."""
    k = slot * 100_003 + n
    return f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}"


def sign_in(browser: Browser, identifier: str, password: str = PASSWORD) -> int:
    """GET /login/ then POST the identifier and password at once; the POST's status."""
    return browser.form("/login/", {"identifier": identifier, "password": password})


def signins(ports: list[int], identifiers: Callable[[int], str], accounts: int) -> Callable[[int, int], bool]:
    """One full sign-in per call, a fresh browser each time (no device cookie: a first visit)."""

    def one(slot: int, n: int) -> bool:
        browser = Browser(ports[(slot + n) % len(ports)], address(slot, n))
        try:
            return sign_in(browser, identifiers((slot * 7919 + n) % accounts)) == SIGNED_IN
        finally:
            browser.close()

    return one


@dataclass
class Morning:
    """home → sign-in → « Mes services », some typing a wrong password first, some asking for a
    reset code first (the request only: the code goes out by mail, the person then remembers)."""

    ports: list[int]  # one per node; a person stays on the node the balancer gave them
    identifiers: Callable[[int], str]
    accounts: int
    typos: float = 0.10
    resets: float = 0.05

    def __call__(self, slot: int, n: int) -> bool:
        rng = random.Random(slot * 1_000_003 + n)
        person = rng.randrange(self.accounts)
        identifier = self.identifiers(person)
        browser = Browser(self.ports[(slot + n) % len(self.ports)], address(slot, n))
        try:
            ok = browser.request("GET", "/")[0] == 200
            if rng.random() < self.typos:
                ok &= sign_in(browser, identifier, PASSWORD + "x") == 200
            if rng.random() < self.resets:
                fields = {"identifier": identifier, "channel": "email", "contact": f"bench.{person:04d}@example.org"}
                ok &= browser.form("/password/reset/", fields) == 200
            ok &= sign_in(browser, identifier) == SIGNED_IN
            return ok and browser.request("GET", "/services/")[0] == 200
        finally:
            browser.close()
