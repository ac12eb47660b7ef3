"""Notices rendered by the worker rather than in the request that causes them.

A sign-in from a new browser tells the person by mail; at 8 a.m. rendering that mail's three
templates in the sign-in's own request cost as much as the rest of what the sign-in writes
(issue 15: « no work that can wait done in the request »). The row is still written in the
request's transaction — the notice exists if and only if the sign-in does — but holds the
template's name and its context; the worker renders it, in the recipient's language, just
before sending.

The context is kept as JSON, encrypted like a body: strings, numbers, booleans, None and
datetimes only (anything else is refused at once, in the request, not in the worker). The
message's own account is the template's `account`.
"""

import json
from datetime import datetime
from typing import Any

_DATETIME = "$datetime"


def dump(context: dict[str, Any]) -> str:
    kept: dict[str, Any] = {}
    for name, value in context.items():
        if name == "account":
            continue  # the message's own, given back by `load`
        if isinstance(value, datetime):
            kept[name] = {_DATETIME: value.isoformat()}
        elif value is None or isinstance(value, str | int | float | bool):
            kept[name] = value
        else:
            raise TypeError(f"{name}: a {type(value).__name__} cannot wait for the worker")
    return json.dumps(kept)


def load(text: str, account: object) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for name, value in json.loads(text).items():
        if isinstance(value, dict) and set(value) == {_DATETIME}:
            value = datetime.fromisoformat(value[_DATETIME])
        context[name] = value
    context["account"] = account
    return context
