"""Writing to the event log. Callers run `record` inside the transaction of the change it
describes, so the log never claims a change that was rolled back."""

import ipaddress
import json
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from .models import Event
from .signals import event_committed

if TYPE_CHECKING:
    # For the checker only: the account model is settings.AUTH_USER_MODEL, a floor above
    # audit that it never imports at run time.
    from accounts.models import Account

logger = logging.getLogger("guichet.audit")

# A key containing one of these may hold a secret; the log must never hold one, so such
# keys are refused outright rather than masked (a masked value still says one was there).
SECRET_WORDS = ("password", "passwd", "secret", "token", "code", "otp", "pin", "key")
CODE_FORMAT = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def record(
    code: str,
    /,
    *,
    actor: "Account | None" = None,
    subject: "Account | None" = None,
    subject_label: str = "",
    ip: str | None = None,
    **data: Any,
) -> Event:
    # `code` is positional-only so that a data key named "code" reaches the check below.
    if not CODE_FORMAT.match(code):
        raise ValueError(f"audit code {code!r} is not a dotted lower-case code")
    _check_data(data)
    if subject is not None and not subject_label:
        # Keeps the identifier readable after the account is deleted (the FK is SET_NULL).
        subject_label = subject.get_username()
    event = Event.objects.create(code=code, actor=actor, subject=subject, subject_label=subject_label, ip=ip, data=data)
    # The same facts go to the log stream, for operators who watch logs rather than tables.
    logger.info("%s subject=%s ip=%s %s", code, subject_label or "-", ip or "-", json.dumps(data, sort_keys=True))
    transaction.on_commit(lambda: event_committed.send(sender=Event, code=code, data=data))
    return event


def _check_data(data: dict[str, Any]) -> None:
    for key in _keys(data):
        if any(word in key.lower() for word in SECRET_WORDS):
            raise ValueError(f"audit data key {key!r} looks like a secret")
    try:
        json.dumps(data)
    except (TypeError, ValueError) as error:
        raise ValueError(f"audit data is not JSON-serialisable: {error}") from None


def _keys(value: object) -> Iterator[str]:
    # Nested dictionaries too: {"form": {"password": ...}} must not slip through.
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _keys(item)


def client_ip(request: HttpRequest) -> str | None:
    """The address to log for this request.

    Behind Guichet's TLS proxy (GUICHET_BEHIND_PROXY, which sets SECURE_PROXY_SSL_HEADER)
    REMOTE_ADDR is the proxy itself; the proxy appends the address it saw to
    X-Forwarded-For, so the last hop is the one we can trust. Earlier hops are whatever the
    client chose to send. Without a proxy the header is entirely the client's and ignored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None
