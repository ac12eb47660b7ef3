"""Hand-off to an institution's own helpdesk. One module per tool, all the same shape:

    create(config, ticket, text, screenshots) -> str          # the helpdesk's ticket id
    push_followup(config, ref, text) -> str                    # the follow-up's id
    pull_followups(config, ref) -> list[Remote]                # public follow-ups there

`config` is the institution's `helpdesk` entry of the set-up plus `institution` (its slug);
tokens come from the environment. Any failure raises Unavailable: the ticket stays in
Guichet and the worker tries again later.
"""

import os
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

# The institution's `helpdesk` entry of the set-up plus `institution`: JSON values as read.
Config = dict[str, Any]


class Unavailable(Exception):
    """The helpdesk could not be reached or refused the request; try again later."""


@dataclass(frozen=True)
class Remote:
    id: str
    text: str  # plain text (HTML already reduced by the connector)


def module(name: str) -> ModuleType:
    return import_module(f"support.connectors.{name}")


def secret(name: str, institution: str) -> str:
    """GUICHET_<NAME>_<INSTITUTION> or the file its _FILE variant names ('' if neither)."""
    key = f"GUICHET_{name}_{institution.upper().replace('-', '_')}"
    if os.environ.get(key):
        return os.environ[key]
    path = os.environ.get(f"{key}_FILE")
    return Path(path).read_text(encoding="utf-8").strip() if path else ""
