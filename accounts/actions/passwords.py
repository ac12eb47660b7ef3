"""Changing a password, whoever triggers it (the person, a reset, support)."""

from django.db import transaction

from audit.actions import client_ip, record

from .. import directories
from ..models import Account
from . import sessions, throttling


@transaction.atomic
def set_password(request, account: Account, password: str, *, actor=None, reason: str = "changed") -> None:
    """Write the new password to the directory, lift any sign-in pause, end every session."""
    directories.for_institution(account.institution).set_password(account.identifier, password)
    throttling.clear_all(account.identifier)
    sessions.revoke_all(request, account, actor=actor, reason="reset" if reason == "reset" else "password")
    record(
        f"accounts.password.{reason}",
        actor=actor or account,
        subject=account,
        ip=client_ip(request) if request else None,
    )
