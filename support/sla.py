"""SLA clocks: opening-hours time since a ticket was opened, paused while the ticket waits for
the person (or is resolved), against the first-response target of its priority."""

from datetime import datetime

from . import hours
from .models import Ticket
from .priority import FIRST_RESPONSE_TARGET


def schedule_of(ticket: Ticket) -> hours.Schedule:
    institution = ticket.institution
    if institution is None:
        return hours.Schedule()
    return hours.Schedule.from_setup(institution.support_hours, institution.support_closures)


def _count(schedule: hours.Schedule, start: datetime, end: datetime) -> float:
    # A ticket with no known desk counts wall-clock time: better too strict than silent.
    return hours.open_seconds(schedule, start, end) if schedule.known else max((end - start).total_seconds(), 0.0)


def elapsed(ticket: Ticket, now: datetime) -> float:
    running = _count(schedule_of(ticket), ticket.sla_running_since, now) if ticket.sla_running_since else 0.0
    return ticket.sla_seconds + running


def move_clock(ticket: Ticket, new_status: str, now: datetime) -> list[str]:
    """Stop or restart the clock for a change of status; returns the fields it changed."""
    stopped = ticket.CLOCK_STOPPED
    if ticket.sla_running_since and new_status in stopped:
        ticket.sla_seconds += _count(schedule_of(ticket), ticket.sla_running_since, now)
        ticket.sla_running_since = None
        return ["sla_seconds", "sla_running_since"]
    if ticket.sla_running_since is None and new_status not in stopped:
        ticket.sla_running_since = now
        return ["sla_running_since"]
    return []


def target(ticket: Ticket) -> int:
    return FIRST_RESPONSE_TARGET[ticket.priority]


def breached(ticket: Ticket, now: datetime) -> bool:
    """Past the first-response target with no response yet."""
    return ticket.first_response_at is None and elapsed(ticket, now) > target(ticket)
