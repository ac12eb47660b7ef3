"""Which platform an identifier belongs to, from its domain. Pure: no database, no I/O.

Only an exact, whole-domain match routes. Everything else is answered, never matched:
a near-miss ("ac-poiters.fr") gets a suggestion the person must accept, and a look-alike
("ac-poitiers.fr.evil.com", "evil-ac-poitiers.fr") is simply an unknown domain.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MATCHED = "matched"
SUGGESTION = "suggestion"
UNKNOWN_DOMAIN = "unknown_domain"
BARE_LOGIN = "bare_login"
EMPTY = "empty"
INVALID = "invalid"

MAX_LENGTH = 320  # RFC 5321: 64 + 1 + 255, with some room
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BRACKETED = re.compile(r"<([^<>]*)>")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(frozen=True)
class Route(Generic[T]):
    status: str
    query: str
    domain: str | None = None
    target: T | None = None
    suggestion: str | None = None


def normalize(raw: str) -> str:
    """What the person meant: no surrounding or invisible spaces, lower case, no mailto:."""
    text = unicodedata.normalize("NFC", raw or "").translate(_INVISIBLE).strip()
    bracketed = _BRACKETED.search(text)
    if bracketed:  # "Jeanne Martin <jeanne.martin@ac-poitiers.fr>", pasted from a mail client
        text = bracketed.group(1).strip()
    text = text.lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :].strip()
    return text.removesuffix(".")  # a fully qualified "ac-poitiers.fr." is the same domain


def distance(a: str, b: str) -> int:
    """Edit distance where swapping two neighbouring letters counts as one edit (OSA)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _tolerance(domain: str) -> int:
    return 1 if len(domain) < 10 else 2


def closest_domain(domain: str, known: Mapping[str, object]) -> str | None:
    """The one known domain a typo away, or None when none is close or two are equally close."""
    scored = sorted((distance(domain, k), k) for k in known)
    close = [(d, k) for d, k in scored if 0 < d <= _tolerance(k)]
    if not close or (len(close) > 1 and close[0][0] == close[1][0]):
        return None
    return close[0][1]


def route(raw: str, domains: Mapping[str, T]) -> Route[T]:
    query = normalize(raw)
    if not query:
        return Route(EMPTY, query)
    if len(query) > MAX_LENGTH or any(c.isspace() for c in query):
        return Route(INVALID, query)

    local, at, domain = query.rpartition("@")
    if not at:
        # No "@": a bare domain routes like an address; anything else is a login.
        if query in domains:
            return Route(MATCHED, query, query, domains[query])
        near = closest_domain(query, domains) if "." in query else None
        if near:
            return Route(SUGGESTION, query, query, suggestion=near)
        return Route(BARE_LOGIN, query)

    if "@" in local or not domain or (local and not _LOCAL_PART.match(local)):
        return Route(INVALID, query)
    if domain in domains:
        return Route(MATCHED, query, domain, domains[domain])
    near = closest_domain(domain, domains)
    if near:
        return Route(SUGGESTION, query, domain, suggestion=f"{local}@{near}" if local else near)
    if not _DOMAIN.match(domain):
        return Route(INVALID, query, domain)
    return Route(UNKNOWN_DOMAIN, query, domain)
