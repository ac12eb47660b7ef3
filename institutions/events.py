"""Audit codes of the institutions app and their labels (read by audit.labels)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SETUP_LOADED = "institutions.setup.loaded"
WEBMAIL_CONFIRMED = "institutions.webmail.confirmed"
MAIL_SERVERS_CONFIRMED = "institutions.mail_servers.confirmed"

LABELS: "dict[str, StrOrPromise]" = {
    SETUP_LOADED: _("Fichier de configuration chargé"),
    WEBMAIL_CONFIRMED: _("Adresse du webmail confirmée"),
    MAIL_SERVERS_CONFIRMED: _("Réglages des logiciels de messagerie confirmés"),
}
