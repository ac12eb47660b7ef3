"""The audit codes accounts records, and what the pages that list them call them.

Callers use these constants, never the strings: a typo then fails at import, not in the log.
The code strings themselves never change (the event log keeps them for years).
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # django-stubs-ext is a development requirement only
    from django_stubs_ext import StrOrPromise

SIGNIN_SUCCESS = "accounts.signin.success"
SIGNIN_FAILURE = "accounts.signin.failure"
SIGNIN_SECOND_FACTOR_FAILURE = "accounts.signin.second_factor_failure"
SIGNIN_PAUSED = "accounts.signin.paused"
SIGNIN_REFUSED_PAUSED = "accounts.signin.refused_paused"
SIGNIN_REFUSED_LOCKED = "accounts.signin.refused_locked"
SIGNIN_IP_BLOCKED = "accounts.signin.ip_blocked"
SIGNIN_SLOWED = "accounts.signin.slowed"
SIGNIN_INACTIVE = "accounts.signin.inactive"
SIGNIN_DIRECTORY_UNAVAILABLE = "accounts.signin.directory_unavailable"
# A refusal at the gate, by the gate's status ("paused" or "locked").
SIGNIN_REFUSED = {"paused": SIGNIN_REFUSED_PAUSED, "locked": SIGNIN_REFUSED_LOCKED}

REAUTH_FAILURE = "accounts.reauth.failure"
FACTOR_ADDED = "accounts.factor.added"
FACTOR_REMOVED = "accounts.factor.removed"

PASSWORD_CHANGED = "accounts.password.changed"  # noqa: S105 (an audit code, no password)
PASSWORD_RESET = "accounts.password.reset"  # noqa: S105 (an audit code, no password)
# By `passwords.set_password`'s reason.
PASSWORD = {"changed": PASSWORD_CHANGED, "reset": PASSWORD_RESET}

SESSION_LOGOUT = "accounts.session.logout"
SESSION_REVOKED = "accounts.session.revoked"
SESSION_IDLE = "accounts.session.idle"
SESSION_EXPIRED = "accounts.session.expired"
SESSION_REVOKED_ALL = "accounts.session.revoked_all"
# By the reason a session ends (`sessions.end`).
SESSION_END = {"logout": SESSION_LOGOUT, "revoked": SESSION_REVOKED, "idle": SESSION_IDLE, "expired": SESSION_EXPIRED}

# A directory entry seen for the first time: its mirror row is created at its first sign-in.
ACCOUNT_MIRRORED = "accounts.account.mirrored"

LABELS: "dict[str, StrOrPromise]" = {
    SIGNIN_SUCCESS: _("Connexion réussie"),
    SIGNIN_FAILURE: _("Mot de passe incorrect"),
    SIGNIN_SECOND_FACTOR_FAILURE: _("Code de vérification incorrect"),
    SIGNIN_PAUSED: _("Connexion suspendue après plusieurs erreurs"),
    SIGNIN_REFUSED_PAUSED: _("Refusée : connexion suspendue"),
    SIGNIN_IP_BLOCKED: _("Refusée : réseau bloqué"),
    SIGNIN_REFUSED_LOCKED: _("Refusée : trop d'erreurs, réinitialisation nécessaire"),
    SIGNIN_SLOWED: _("Différée : réseau très sollicité"),
    SIGNIN_INACTIVE: _("Refusée : compte inactif"),
    SIGNIN_DIRECTORY_UNAVAILABLE: _("Annuaire indisponible"),
}
