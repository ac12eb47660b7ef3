"""When a person's credentials end, everything they opened ends with them.

A password change or reset, « Déconnecter partout », a disabled account or an administrator's
revocation ends every Guichet session here; what those sessions handed out elsewhere (OpenID
Connect tokens, CAS tickets, SAML sessions) belongs to the sso app, which sits above this one.
So accounts announces the end on a signal and sso connects to it in its AppConfig.ready():
accounts never imports sso.
"""

from typing import TYPE_CHECKING, Any

from django.dispatch import Signal
from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Account

# Sent inside the transaction that revoked the sessions, with keyword arguments:
#   account  - the Account whose credentials ended
#   request  - the HttpRequest that caused it, or None (a command, the worker)
#   sids     - the UserSession.sid values just revoked (the sign-ons to end)
#   reason   - a dotted-code word: "password", "reset", "everywhere", "disabled", "admin", "session"
#   everything - True when every token of the account must go, not only those of `sids`
# A receiver that talks to the network defers it with transaction.on_commit.
credentials_revoked = Signal()


def announce(
    account: "Account", *, request: HttpRequest | None, sids: list[str], reason: str, everything: bool
) -> None:
    credentials_revoked.send(
        sender=type(account), account=account, request=request, sids=sids, reason=reason, everything=everything
    )


def _status_before(
    sender: type["Account"],
    instance: "Account",
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    # Remember whether the row was active, so post_save sees a disable whoever made it (the
    # admin form, a directory sync, a command); one read, and only when status may change.
    if raw or instance.pk is None or (update_fields is not None and "status" not in update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance.__dict__["_was_active"] = before == sender.ACTIVE


def _status_after(
    sender: type["Account"], instance: "Account", created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    was_active = instance.__dict__.pop("_was_active", False)
    if raw or created or not was_active or instance.is_active:
        return
    from .actions import sessions  # actions import this module: import at call time

    # The admin sets `_revocation_request` so the event names the administrator and the
    # relying parties are told from the request's host.
    request = instance.__dict__.pop("_revocation_request", None)
    actor = request.user if request is not None and request.user.is_authenticated else None
    sessions.revoke_all(request, instance, actor=actor, reason="disabled")


def connect() -> None:
    from django.db.models.signals import post_save, pre_save

    from .models import Account

    pre_save.connect(_status_before, sender=Account, dispatch_uid="accounts-status-before")
    post_save.connect(_status_after, sender=Account, dispatch_uid="accounts-status-after")
