"""Changing a password, whoever triggers it (the person, a reset, support)."""

from django.db import transaction
from django.http import HttpRequest

from audit.actions import client_ip, record

from .. import directories, events
from ..models import Account
from . import sessions, throttling


@transaction.atomic
def set_password(
    request: HttpRequest | None,
    account: Account,
    password: str,
    *,
    actor: Account | None = None,
    reason: str = "changed",
) -> None:
    """Write the new password to the directory, lift any sign-in pause, end every session."""
    directories.for_institution(account.institution).set_password(account.identifier, password)
    throttling.clear_all(account.identifier)
    sessions.revoke_all(request, account, actor=actor, reason="reset" if reason == "reset" else "password")
    record(
        events.PASSWORD[reason],
        actor=actor or account,
        subject=account,
        ip=client_ip(request) if request else None,
    )
