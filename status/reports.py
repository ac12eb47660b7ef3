"""Where a suspicious-message report goes.

Layering: the support app sits on the same floor and may import status, never the
reverse. So status keeps a sink: the default one queues an e-mail to the institution's
security contact (or its support desk, or the administrators); the support app, once
installed, registers `support.actions.file_suspicious_report`, whose keyword-only
signature the sink shares:

    sink(*, identifier: str, contact: str, message_text: str,
         links: list[tuple[str, str]], language: str, institution_slug: str | None)

`links` are (url, verdict) pairs, verdict as in status.linkcheck (official, caution,
danger, invalid).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from audit.actions import record
from notify.actions import queue_email
from notify.quotas import administrators

from . import events, queries

Sink = Callable[..., Any]
PURPOSE = "status.suspicious_report"

_sink: list[Sink] = []


def register_sink(sink: Sink) -> None:
    """Replace the default sink (the support app calls this from its AppConfig.ready)."""
    _sink[:] = [sink]


def reset_sink() -> None:
    _sink.clear()


def file_report(
    *,
    identifier: str,
    contact: str,
    message_text: str,
    links: list[tuple[str, str]],
    language: str,
    institution_slug: str | None,
) -> Any:
    """Hand the report to the registered sink, in one transaction with its audit event."""
    with transaction.atomic():
        sink = _sink[0] if _sink else outbox_sink
        result = sink(
            identifier=identifier,
            contact=contact,
            message_text=message_text,
            links=links,
            language=language,
            institution_slug=institution_slug,
        )
        record(
            events.REPORT_FILED,
            subject_label=identifier,
            institution=institution_slug or "",
            links=len(links),
            dangerous=sum(1 for _url, verdict in links if verdict == "danger"),
        )
    return result


def outbox_sink(
    *,
    identifier: str,
    contact: str,
    message_text: str,
    links: list[tuple[str, str]],
    language: str,
    institution_slug: str | None,
) -> list[int]:
    """Until the support desk exists: an e-mail to whoever reads security reports."""
    context = {
        "identifier": identifier,
        "contact": contact,
        "message_text": message_text,
        "links": links,
        "reported_in": language,
        "institution": institution_slug or "",
    }
    contacts = queries.security_recipients(institution_slug)
    if contacts:  # the institution's security contacts: addresses, no account, French
        return [
            queue_email(to=address, template="status_report", context=context, language="fr", purpose=PURPOSE).pk
            for address in contacts
        ]
    return [
        queue_email(
            to=address, template="status_report", context=context, language=lang, purpose=PURPOSE, account=acct
        ).pk
        for address, lang, acct in administrators()
    ]
