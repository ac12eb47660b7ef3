"""The sso half of « credentials end together » (accounts/revocation.py announces it).

When a person's sessions are revoked, what those sessions handed out ends too:
- OpenID Connect: refresh tokens revoked (their access tokens go with them), other access
  tokens and unused authorization codes deleted, so /oidc/token/ refuses a refresh and
  /oidc/introspect/ (IMAP/SMTP, docs/imap-oauth2.md) answers inactive at once;
- CAS: service tickets not yet validated are spent; the ticket-granting session is the
  Guichet session itself, already revoked;
- every client the sessions signed in to (OIDC, SAML, CAS) is told back-channel, after
  the transaction commits, the way sso/logout.py tells them at an ordinary logout.
"""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from audit.actions import record

from .logout import NOTIFIERS
from .models import CasTicket, SignOn

logger = logging.getLogger(__name__)


def revoke(sender, *, account, request, sids: list[str], reason: str, everything: bool, **kwargs) -> None:
    now = timezone.now()
    sign_ons = list(SignOn.objects.filter(sid__in=sids, ended_at__isnull=True).select_related("client"))
    if everything:
        refresh = RefreshToken.objects.filter(user=account, revoked__isnull=True)
        access = AccessToken.objects.filter(user=account)
        grants = Grant.objects.filter(user=account)
        tickets = CasTicket.objects.filter(account=account, used_at__isnull=True)
    else:
        families = [s.data["family"] for s in sign_ons if s.data.get("family")]
        refresh = RefreshToken.objects.filter(token_family__in=families, revoked__isnull=True)
        access = AccessToken.objects.filter(pk__in=[s.data["access"] for s in sign_ons if s.data.get("access")])
        grants = Grant.objects.none()
        tickets = CasTicket.objects.filter(account=account, sid__in=sids, used_at__isnull=True)
    refresh_count = 0
    for token in refresh.select_related("access_token"):
        token.revoke()  # marks it revoked and deletes its access token
        refresh_count += 1
    access_count, _ = access.delete()
    grants.delete()
    ticket_count = tickets.update(used_at=now)
    SignOn.objects.filter(pk__in=[s.pk for s in sign_ons]).update(ended_at=now)
    record(
        "sso.credentials.revoked",
        actor=request.user if request is not None and request.user.is_authenticated else None,
        subject=account,
        reason=reason,
        refreshes=refresh_count,
        accesses=access_count,
        cas_spent=ticket_count,
        sign_ons=len(sign_ons),
    )
    if sign_ons:
        # The network after the commit: a rolled-back reset must not log anyone out, and a
        # slow client must not hold the database.
        transaction.on_commit(partial(_tell_clients, _stand_in(request), account, sign_ons), robust=True)


def _tell_clients(request, account, sign_ons: list[SignOn]) -> None:
    for row in sign_ons:
        notify = NOTIFIERS.get(row.client.protocol)
        try:
            if notify:
                notify(request, row)
        except Exception as error:  # one client down must not keep the others signed in
            logger.warning("back-channel logout to %s failed: %s", row.client.slug, type(error).__name__)
            record("sso.logout.notify_failed", subject=account, client=row.client.slug, error=type(error).__name__)
        else:
            record("sso.logout.notified", subject=account, client=row.client.slug, protocol=row.client.protocol)


def _stand_in(request) -> HttpRequest:
    """The request the notifiers build URLs from; without one (a command, a directory sync),
    a request for the first allowed host, in the scheme the site is served in."""
    if request is not None:
        return request
    stand_in = HttpRequest()
    host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
    stand_in.META = {"SERVER_NAME": host.strip("[]"), "SERVER_PORT": "443" if settings.HTTPS else "80"}
    if settings.HTTPS:
        stand_in._get_scheme = lambda: "https"  # type: ignore[method-assign]
    stand_in.user = AnonymousUser()
    return stand_in
