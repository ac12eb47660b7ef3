"""Every change to a ticket: a plain function that checks, saves, audits and queues its
messages in one transaction. Views, the worker and sibling apps call these."""

from .desk import add_note, assign, reply, set_impact, set_status
from .tickets import (
    ContactLimit,
    add_person_message,
    close_by_person,
    file_suspicious_report,
    open_ticket,
    purge,
    purge_expired,
    ticket_for_link,
)

__all__ = [
    "ContactLimit",
    "add_note",
    "add_person_message",
    "assign",
    "close_by_person",
    "file_suspicious_report",
    "open_ticket",
    "purge",
    "purge_expired",
    "reply",
    "set_impact",
    "set_status",
    "ticket_for_link",
]
