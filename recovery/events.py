"""Recovery's audit codes (the strings never change: stored events keep them) and their labels.

Support-desk and HR codes are recorded by recovery's assisted actions, so they live here too.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REQUEST_UNMATCHED = "recovery.request.unmatched"
REQUEST_ABANDONED = "recovery.request.abandoned"
CODE_ISSUED = "recovery.code.issued"
CODE_USED = "recovery.code.used"
CODE_WRONG = "recovery.code.wrong"
CODE_LIMITED = "recovery.code.limited"
CODE_REISSUED = "recovery.code.reissued"
CHANNELS_RECONFIRMED = "recovery.channels.reconfirmed"
CHANNEL_CHANGE_STARTED = "recovery.channel.change_started"
CHANNEL_CHANGE_REFUSED = "recovery.channel.change_refused"
CHANNEL_CHANGED = "recovery.channel.changed"
SUPPORT_LOOKUP = "support.lookup"
SUPPORT_RESET_REQUESTED = "support.reset.requested"
SUPPORT_RESET_APPROVED = "support.reset.approved"
SUPPORT_RESET_REFUSED = "support.reset.refused"
SUPPORT_RESET_ISSUED = "support.reset.issued"
HR_REQUEST_FILED = "hr.request.filed"
HR_REQUEST_APPROVED = "hr.request.approved"
HR_REQUEST_REFUSED = "hr.request.refused"
HR_DOCUMENT_DOWNLOADED = "hr.document.downloaded"

LABELS: dict[str, str | Promise] = {
    REQUEST_UNMATCHED: _("Demande de réinitialisation sans correspondance"),
    REQUEST_ABANDONED: _("Demande de réinitialisation abandonnée"),
    CODE_ISSUED: _("Code ou lien de réinitialisation délivré"),
    CODE_USED: _("Code ou lien de réinitialisation utilisé"),
    CODE_WRONG: _("Code de réinitialisation erroné"),
    CODE_LIMITED: _("Trop de codes erronés"),
    CODE_REISSUED: _("Code de réinitialisation renvoyé"),
    CHANNELS_RECONFIRMED: _("Contacts de secours confirmés"),
    CHANNEL_CHANGE_STARTED: _("Changement de contact de secours commencé"),
    CHANNEL_CHANGE_REFUSED: _("Changement de contact de secours refusé"),
    CHANNEL_CHANGED: _("Contact de secours changé"),
    SUPPORT_LOOKUP: _("Consultation par le support"),
    SUPPORT_RESET_REQUESTED: _("Réinitialisation demandée au support"),
    SUPPORT_RESET_APPROVED: _("Réinitialisation approuvée par un second agent"),
    SUPPORT_RESET_REFUSED: _("Réinitialisation refusée par un second agent"),
    SUPPORT_RESET_ISSUED: _("Réinitialisation délivrée par le support"),
    HR_REQUEST_FILED: _("Demande de réinitialisation déposée auprès des RH"),
    HR_REQUEST_APPROVED: _("Demande de réinitialisation approuvée par les RH"),
    HR_REQUEST_REFUSED: _("Demande de réinitialisation refusée par les RH"),
    HR_DOCUMENT_DOWNLOADED: _("Justificatif consulté par les RH"),
}
