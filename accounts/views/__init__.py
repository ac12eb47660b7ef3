"""accounts' pages: signing in and out (signin), « Mes connexions » and « Sécurité du compte »
(security), the passkey API (passkeys, mounted by accounts/passkeys.py)."""

from .security import connections, recovery_codes, remove_device, revoke_all_sessions, revoke_session, security, totp
from .signin import login, login_verify, logout, reauth

__all__ = [
    "connections",
    "login",
    "login_verify",
    "logout",
    "reauth",
    "recovery_codes",
    "remove_device",
    "revoke_all_sessions",
    "revoke_session",
    "security",
    "totp",
]
