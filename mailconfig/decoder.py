"""The error decoder: a pasted message from a mail program → likely cause and fix.

The catalogue is data (data/errors.yaml) so that support staff can add a wording they meet
without touching code. Matching is plain: count the entry's patterns found in the message.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

CATALOGUE = Path(__file__).resolve().parent / "data" / "errors.yaml"
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class Entry:
    slug: str
    patterns: tuple[re.Pattern[str], ...]
    cause: dict[str, str]
    fix: dict[str, str]

    def _text(self, texts: dict[str, str]) -> str:
        return texts.get((get_language() or "fr")[:2]) or texts["fr"]

    @property
    def cause_text(self) -> str:
        return self._text(self.cause)

    @property
    def fix_text(self) -> str:
        return self._text(self.fix)

    def score(self, message: str) -> int:
        return sum(1 for p in self.patterns if p.search(message))


@lru_cache(maxsize=1)
def catalogue() -> tuple[Entry, ...]:
    rows = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return tuple(
        Entry(
            slug=row["slug"],
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"]),
            cause=row["cause"],
            fix=row["fix"],
        )
        for row in rows
    )


def _normalise(message: str) -> str:
    # Clients quote with typographic marks and break lines anywhere.
    message = message[:MAX_MESSAGE].replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", message).strip()


def decode(message: str) -> Entry | None:
    text = _normalise(message)
    if not text:
        return None
    best, best_score = None, 0
    for entry in catalogue():
        score = entry.score(text)
        if score > best_score:
            best, best_score = entry, score
    return best
