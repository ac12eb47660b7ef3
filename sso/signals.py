"""Where single sign-on listens: a Guichet session ending (Django's user_logged_out) and
credentials revoked (accounts.revocation, which never imports sso). Both go to sso.actions."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.actions.sessions import SID
from accounts.models import Account

from . import actions


@receiver(user_logged_out, dispatch_uid="sso-single-logout")
def _single_logout(sender: object, request: HttpRequest | None, user: Account | None, **kwargs: Any) -> None:
    sid = request.session.get(SID) if request is not None else None
    if request is not None and sid:
        actions.end_session(request, user, sid)


def credentials_revoked(
    sender: object,
    *,
    account: Account,
    request: HttpRequest | None,
    sids: list[str],
    reason: str,
    everything: bool,
    **kwargs: Any,
) -> None:
    actions.revoke_credentials(account, request, sids, reason, everything=everything)
