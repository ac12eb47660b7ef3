"""Audit codes of the institutions app and their labels (read by audit.labels)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SETUP_LOADED = "institutions.setup.loaded"
WEBMAIL_CONFIRMED = "institutions.webmail.confirmed"
MAIL_SERVERS_CONFIRMED = "institutions.mail_servers.confirmed"

LABELS: dict[str, str | Promise] = {
    SETUP_LOADED: _("Fichier de configuration chargé"),
    WEBMAIL_CONFIRMED: _("Adresse du webmail confirmée"),
    MAIL_SERVERS_CONFIRMED: _("Réglages des logiciels de messagerie confirmés"),
}
