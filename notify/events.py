"""Audit codes of the notify app and their labels (read by audit.labels)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SMS_REFUSED = "notify.sms.refused"
SMS_BUDGET_EXHAUSTED = "notify.sms.budget_exhausted"
MESSAGE_QUEUED = "notify.message.queued"
MESSAGE_SENT = "notify.message.sent"
MESSAGE_EXPIRED = "notify.message.expired"
MESSAGE_FAILED = "notify.message.failed"
MESSAGE_ABANDONED = "notify.message.abandoned"
MESSAGE_RECOVERED = "notify.message.recovered"
MESSAGE_RESENT = "notify.message.resent"

LABELS: "dict[str, StrOrPromise]" = {
    SMS_REFUSED: _("SMS refusé (quota atteint)"),
    SMS_BUDGET_EXHAUSTED: _("Budget SMS du jour épuisé"),
    MESSAGE_QUEUED: _("Message mis en file"),
    MESSAGE_SENT: _("Message envoyé"),
    MESSAGE_EXPIRED: _("Message expiré avant l'envoi"),
    MESSAGE_FAILED: _("Échec d'envoi (nouvel essai prévu)"),
    MESSAGE_ABANDONED: _("Envoi abandonné"),
    MESSAGE_RECOVERED: _("Envoi repris après l'arrêt d'un processus"),
    MESSAGE_RESENT: _("Message renvoyé par un administrateur"),
}
