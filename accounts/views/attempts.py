"""The sign-in attempts « Mes connexions » lists, in words.

Kept here until accounts/events.py (audit codes as constants, with LABELS) and
audit.labels.label arrive: then `attempt_label` becomes `audit.labels.label`.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_ATTEMPTS: dict[str, str | Promise] = {
    "accounts.signin.success": _("Connexion réussie"),
    "accounts.signin.failure": _("Mot de passe incorrect"),
    "accounts.signin.second_factor_failure": _("Code de vérification incorrect"),
    "accounts.signin.paused": _("Connexion suspendue après plusieurs erreurs"),
    "accounts.signin.refused_paused": _("Refusée : connexion suspendue"),
    "accounts.signin.ip_blocked": _("Refusée : réseau bloqué"),
    "accounts.signin.refused_locked": _("Refusée : trop d'erreurs, réinitialisation nécessaire"),
    "accounts.signin.slowed": _("Différée : réseau très sollicité"),
    "accounts.signin.inactive": _("Refusée : compte inactif"),
    "accounts.signin.directory_unavailable": _("Annuaire indisponible"),
}


def attempt_label(code: str) -> str:
    return str(_ATTEMPTS.get(code, code))
