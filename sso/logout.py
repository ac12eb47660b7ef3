"""Single logout: when a Guichet session ends, tell the clients it signed in to.

Each protocol module registers a notifier; it receives the SignOn rows of its clients and
says goodbye the way its protocol does (back-channel where the client supports it).
"""

import logging
from collections.abc import Callable

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accounts.actions.sessions import SID
from audit.actions import record

from .models import SignOn

logger = logging.getLogger(__name__)
NOTIFIERS: dict[str, Callable] = {}


def notifier(protocol: str):
    def register(fn):
        NOTIFIERS[protocol] = fn
        return fn

    return register


def remember(request, client, **data) -> SignOn | None:
    sid = request.session.get(SID)
    if not sid:
        return None
    return SignOn.objects.create(sid=sid, client=client, data=data)


@receiver(user_logged_out, dispatch_uid="sso-single-logout")
def _single_logout(sender, request, user, **kwargs):
    sid = request.session.get(SID) if request is not None else None
    if not sid:
        return
    rows = list(SignOn.objects.filter(sid=sid, ended_at__isnull=True).select_related("client"))
    for row in rows:
        notify = NOTIFIERS.get(row.client.protocol)
        try:
            if notify:
                notify(request, row)
        except Exception as error:  # one client down must not keep the others signed in
            logger.warning("single logout to %s failed: %s", row.client.slug, type(error).__name__)
            record("sso.logout.notify_failed", subject=user, client=row.client.slug, error=type(error).__name__)
        else:
            record("sso.logout.notified", subject=user, client=row.client.slug, protocol=row.client.protocol)
    SignOn.objects.filter(pk__in=[r.pk for r in rows]).update(ended_at=timezone.now())
