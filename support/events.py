"""The support app's audit codes, and the label each is shown with in the event log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TICKET_OPENED = "support.ticket.opened"
TICKET_PERSON_MESSAGE = "support.ticket.person_message"
TICKET_CLOSED_BY_PERSON = "support.ticket.closed_by_person"
TICKET_CLOSED_AUTOMATICALLY = "support.ticket.closed_automatically"
TICKET_PURGED = "support.ticket.purged"
TICKET_VIEWED = "support.ticket.viewed"
TICKET_ASSIGNED = "support.ticket.assigned"
TICKET_REPLIED = "support.ticket.replied"
TICKET_NOTED = "support.ticket.noted"
TICKET_STATUS = "support.ticket.status"
TICKET_PRIORITISED = "support.ticket.prioritised"
SCREENSHOT_VIEWED = "support.screenshot.viewed"
HANDOFF_CREATED = "support.handoff.created"
HANDOFF_FAILED = "support.handoff.failed"
HANDOFF_FOLLOWUP_PULLED = "support.handoff.followup_pulled"

LABELS: dict[str, StrOrPromise] = {
    TICKET_OPENED: _("Demande d'assistance ouverte"),
    TICKET_PERSON_MESSAGE: _("Message de la personne sur sa demande"),
    TICKET_CLOSED_BY_PERSON: _("Demande close par la personne"),
    TICKET_CLOSED_AUTOMATICALLY: _("Demande close automatiquement"),
    TICKET_PURGED: _("Demande effacée"),
    TICKET_VIEWED: _("Demande consultée par un agent"),
    TICKET_ASSIGNED: _("Demande attribuée"),
    TICKET_REPLIED: _("Réponse d'un agent"),
    TICKET_NOTED: _("Note interne ajoutée"),
    TICKET_STATUS: _("Statut d'une demande changé"),
    TICKET_PRIORITISED: _("Priorité d'une demande changée"),
    SCREENSHOT_VIEWED: _("Capture d'écran consultée"),
    HANDOFF_CREATED: _("Demande transmise au helpdesk"),
    HANDOFF_FAILED: _("Transmission au helpdesk échouée"),
    HANDOFF_FOLLOWUP_PULLED: _("Suivi du helpdesk récupéré"),
}
