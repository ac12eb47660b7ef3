"""Hand-off to the institution's helpdesk and follow-ups both ways, run by the worker.

A ticket whose institution names a helpdesk gets `handoff_next_at`: the worker creates it
there, then keeps both sides in step by polling (messages of the person and of agents are
pushed; public follow-ups written in the helpdesk are pulled and sent on to the person).
A helpdesk that is down changes nothing in Guichet: the ticket stays, is answered here,
and the hand-off is tried again with back-off.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.actions import record
from notify.schedule import retry_delay

from . import connectors, events
from .actions.tickets import _tell
from .models import Ticket, TicketMessage

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # a worker that dies mid-way leaves the ticket to the next run
BATCH = 50


def config_of(ticket: Ticket) -> connectors.Config | None:
    institution = ticket.institution
    if institution is None or not institution.helpdesk:
        return None
    return {**institution.helpdesk, "institution": institution.slug}


def _describe(ticket: Ticket) -> str:
    lines = [
        f"Guichet {ticket.number}",
        f"Identifiant : {ticket.identifier}",
        f"Nature : {ticket.get_nature_display()}",
        f"Plateforme : {ticket.platform.name if ticket.platform else '-'}",
        f"Heure approximative : {ticket.occurred_at.isoformat() if ticket.occurred_at else '-'}",
        f"Bloque un travail urgent : {'oui' if ticket.urgent else 'non'}",
    ]
    for key in ("error", "page", "browser"):
        if ticket.context.get(key):
            lines.append(f"{key} : {ticket.context[key]}")
    return "\n".join([*lines, "", ticket.description])


def hand_off(ticket_id: int, now: datetime | None = None) -> bool:
    """Create the ticket in the helpdesk if due; True once it exists there."""
    now = now or timezone.now()
    # The conditional UPDATE is the lock (as in notify): only one worker gets the ticket.
    claimed = Ticket.objects.filter(pk=ticket_id, helpdesk_ref="", handoff_next_at__lte=now).update(
        handoff_next_at=now + LEASE
    )
    if not claimed:
        return False
    ticket = Ticket.objects.select_related("institution", "platform").get(pk=ticket_id)
    config = config_of(ticket)
    if config is None:
        Ticket.objects.filter(pk=ticket_id).update(handoff_next_at=None)
        return False
    shots = [(f"capture-{s.pk}{'.png' if s.content_type == 'image/png' else '.jpg'}", s.file.read(), s.content_type)
             for s in ticket.screenshots.all()]  # fmt: skip
    try:
        ref = connectors.module(config["connector"]).create(config, ticket, _describe(ticket), shots)
    except connectors.Unavailable as error:
        attempts = ticket.handoff_attempts + 1
        with transaction.atomic():
            Ticket.objects.filter(pk=ticket_id).update(
                handoff_attempts=attempts, handoff_next_at=now + retry_delay(attempts), handoff_error=str(error)[:300]
            )
            record(events.HANDOFF_FAILED, ticket=ticket.number, attempts=attempts, error=str(error)[:200])
        logger.warning("hand-off of %s, attempt %s: %s", ticket.number, attempts, error)
        return False
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket_id).update(
            helpdesk_ref=ref, handoff_next_at=None, handoff_error="", handoff_attempts=ticket.handoff_attempts + 1
        )
        # What the person and agents already wrote went with the description.
        ticket.messages.filter(kind__in=[TicketMessage.PERSON, TicketMessage.AGENT]).update(pushed=True)
        record(events.HANDOFF_CREATED, ticket=ticket.number, connector=config["connector"], reference=ref)
    return True


def sync(ticket: Ticket) -> int:
    """Push our new public messages, pull theirs; returns how many were pulled."""
    config = config_of(ticket)
    if config is None or not ticket.helpdesk_ref:
        return 0
    connector = connectors.module(config["connector"])
    try:
        for message in ticket.messages.filter(kind__in=[TicketMessage.PERSON, TicketMessage.AGENT], pushed=False):
            remote_id = connector.push_followup(config, ticket.helpdesk_ref, message.body)
            TicketMessage.objects.filter(pk=message.pk).update(pushed=True, remote_id=remote_id)
        remote = connector.pull_followups(config, ticket.helpdesk_ref)
    except connectors.Unavailable as error:
        logger.warning("sync of %s: %s", ticket.number, error)
        return 0
    known = set(ticket.messages.exclude(remote_id="").values_list("remote_id", flat=True))
    pulled = 0
    for item in remote:
        if item.id in known or not item.text:
            continue
        with transaction.atomic():
            TicketMessage.objects.create(
                ticket=ticket, kind=TicketMessage.HELPDESK, body=item.text, remote_id=item.id, pushed=True
            )
            fields = {"first_response_at": ticket.first_response_at or timezone.now()}
            Ticket.objects.filter(pk=ticket.pk).update(**fields)
            ticket.first_response_at = fields["first_response_at"]
            record(events.HANDOFF_FOLLOWUP_PULLED, ticket=ticket.number, reference=item.id)
            _tell(ticket, "support_reply", {"reply": item.text})
        pulled += 1
    return pulled


def sweep(now: datetime | None = None) -> tuple[int, int]:
    """What the periodic task runs: due hand-offs, then follow-ups of open handed-off tickets."""
    now = now or timezone.now()
    due = Ticket.objects.filter(helpdesk_ref="", handoff_next_at__lte=now).values_list("pk", flat=True)[:BATCH]
    created = sum(hand_off(pk, now) for pk in list(due))
    pulled = 0
    followed = Ticket.objects.exclude(helpdesk_ref="").filter(status__in=Ticket.OPEN_STATUSES)
    for ticket in followed.select_related("institution")[:BATCH]:
        pulled += sync(ticket)
    return created, pulled
