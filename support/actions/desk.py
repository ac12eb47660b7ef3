"""The agents' side. Each action checks the role again (the views check it for the page):
a support agent, signed in with a second factor (checked by the desk's views, since it is a
property of the session)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from audit.actions import record
from recovery.assisted import is_agent

from .. import events, priority, sla
from ..models import Ticket, TicketMessage
from .tickets import _tell


def _require(agent: Account) -> None:
    if not is_agent(agent):
        raise PermissionDenied


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _audit(code: str, agent: Account, ticket: Ticket, ip: str | None, **data: Any) -> None:
    record(code, actor=agent, subject_label=ticket.identifier, ip=ip, ticket=ticket.number, **data)


@transaction.atomic
def assign(agent: Account, ticket: Ticket, assignee: Account | None, *, ip: str | None = None) -> Ticket:
    _require(agent)
    if assignee is not None and not is_agent(assignee):
        raise PermissionDenied
    ticket = _locked(ticket)
    ticket.assignee = assignee
    fields = ["assignee"]
    if ticket.status == Ticket.NEW and assignee is not None:
        ticket.status = Ticket.IN_PROGRESS
        fields.append("status")
    ticket.save(update_fields=fields)
    _audit(events.TICKET_ASSIGNED, agent, ticket, ip, assignee=assignee.identifier if assignee else "")
    return ticket


@transaction.atomic
def reply(
    agent: Account, ticket: Ticket, body: str, *, status: str = Ticket.WAITING, ip: str | None = None
) -> TicketMessage:
    """Answer the person: saved, sent to their contact channel, and (if any) to the helpdesk."""
    _require(agent)
    ticket = _locked(ticket)
    now = timezone.now()
    message = TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.AGENT, author=agent, body=body)
    fields = ["status"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    if ticket.assignee_id is None:
        ticket.assignee = agent
        fields.append("assignee")
    fields += _change_status(ticket, status, now)
    ticket.save(update_fields=list(dict.fromkeys(fields)))
    _audit(events.TICKET_REPLIED, agent, ticket, ip, status=ticket.status)
    _tell(ticket, "support_reply", {"reply": body})
    return message


@transaction.atomic
def add_note(agent: Account, ticket: Ticket, body: str, *, ip: str | None = None) -> TicketMessage:
    """An internal note: agents only, never sent, never shown on the tracking page."""
    _require(agent)
    message = TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.NOTE, author=agent, body=body)
    _audit(events.TICKET_NOTED, agent, ticket, ip)
    return message


def _change_status(ticket: Ticket, status: str, now: datetime) -> list[str]:
    if status not in dict(Ticket.STATUSES) or status == ticket.status:
        return []
    fields = ["status", *sla.move_clock(ticket, status, now)]
    ticket.status = status
    if status == Ticket.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if status == Ticket.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    return fields


@transaction.atomic
def set_status(agent: Account, ticket: Ticket, status: str, *, ip: str | None = None) -> Ticket:
    _require(agent)
    ticket = _locked(ticket)
    before = ticket.status
    fields = _change_status(ticket, status, timezone.now())
    if fields:
        ticket.save(update_fields=fields)
        _audit(events.TICKET_STATUS, agent, ticket, ip, before=before, after=status)
    return ticket


@transaction.atomic
def set_impact(agent: Account, ticket: Ticket, *, urgency: int, impact: int, ip: str | None = None) -> Ticket:
    """Urgency × impact → priority, as GLPI does (support/priority.py)."""
    _require(agent)
    ticket = _locked(ticket)
    ticket.urgency, ticket.impact = urgency, impact
    ticket.priority = priority.priority(urgency, impact)
    ticket.save(update_fields=["urgency", "impact", "priority"])
    _audit(events.TICKET_PRIORITISED, agent, ticket, ip, urgency=urgency, impact=impact, priority=ticket.priority)
    return ticket
