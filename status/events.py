"""The status app's audit codes, and the label each is shown with in the event log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CERTIFICATE_EXPIRING = "status.certificate.expiring"
INCIDENT_OPENED = "status.incident.opened"
INCIDENT_CLOSED = "status.incident.closed"
INCIDENT_POSTED = "status.incident.posted"
INCIDENT_EDITED = "status.incident.edited"
REPORT_FILED = "status.report.filed"

LABELS: dict[str, StrOrPromise] = {
    CERTIFICATE_EXPIRING: _("Certificat d'un serveur bientôt expiré"),
    INCIDENT_OPENED: _("Incident ouvert par les sondes"),
    INCIDENT_CLOSED: _("Incident clos par les sondes"),
    INCIDENT_POSTED: _("Incident ou maintenance publié"),
    INCIDENT_EDITED: _("Incident ou maintenance modifié"),
    REPORT_FILED: _("Message suspect signalé"),
}
