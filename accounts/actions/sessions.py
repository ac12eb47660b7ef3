"""Signed-in browsers: opened at sign-in, listed in « Mes connexions », revocable one by one."""

import ipaddress
import secrets

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit.actions import client_ip, record

from .. import events, revocation
from ..models import Account, UserSession

SID = "guichet.sid"
LOGIN_AT = "guichet.login_at"
SEEN_AT = "guichet.seen_at"
TOUCH_EVERY = 60  # seconds between two writes of last_seen


def ip_prefix(ip: str | None) -> str:
    """An approximate place: the network, not the machine (no geolocation database here)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    if address.version == 4:
        return str(ipaddress.ip_network(f"{address}/24", strict=False).network_address).rsplit(".", 1)[0] + ".x"
    return str(ipaddress.ip_network(f"{address}/48", strict=False))


def describe_agent(agent: str) -> str:
    """A short, human name for a browser: « Firefox sur Android »."""
    agent = agent or ""
    browser = next(
        (
            name
            for key, name in [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            if key in agent
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in [
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            ]
            if key in agent
        ),
        "",
    )
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or agent[:60]


def open(request: HttpRequest, account: Account) -> UserSession:
    now = timezone.now()
    sid = request.session.get(SID)
    # Only a browser that was signed in already can have a row to go on with (no query else).
    current = sid and UserSession.objects.filter(sid=sid, account=account, revoked_at__isnull=True).first()
    if current:
        # A fresh password in the same browser (renew, ForceAuthn): the same session goes
        # on, so the clients it signed in to are still told at logout.
        UserSession.objects.filter(pk=current.pk).update(last_seen=now)
        request.session[LOGIN_AT] = request.session[SEEN_AT] = now.timestamp()
        return current
    session = UserSession.objects.create(
        sid=secrets.token_urlsafe(32),
        account=account,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        ip_prefix=ip_prefix(client_ip(request)),
        created_at=now,
        last_seen=now,
    )
    request.session[SID] = session.sid
    request.session[LOGIN_AT] = request.session[SEEN_AT] = now.timestamp()
    return session


def guard(request: HttpRequest) -> str | None:
    """Why this signed-in request must end (revoked, idle, too old), or None. Touches last_seen."""
    now = timezone.now().timestamp()
    sid = request.session.get(SID)
    if sid is None:  # signed in by other code (admin tools, tests): give it a row to revoke
        if not isinstance(request.user, Account):
            return "revoked"
        sid = open(request, request.user).sid
    row = UserSession.objects.filter(sid=sid, revoked_at__isnull=True).only("pk").first()
    if row is None:
        return "revoked"
    if now - request.session.get(SEEN_AT, 0) > settings.GUICHET_SESSION_IDLE_SECONDS:
        return "idle"
    if now - request.session.get(LOGIN_AT, 0) > settings.SESSION_COOKIE_AGE:
        return "expired"
    if now - request.session.get(SEEN_AT, 0) > TOUCH_EVERY:
        request.session[SEEN_AT] = now
        UserSession.objects.filter(pk=row.pk).update(last_seen=timezone.now())
    return None


def end(request: HttpRequest, reason: str) -> None:
    """Log out this browser and close its row."""
    account = request.user if request.user.is_authenticated else None
    sid = request.session.get(SID)
    if sid:
        UserSession.objects.filter(sid=sid, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if account is not None:
        record(events.SESSION_END[reason], actor=account, subject=account, ip=client_ip(request))
    logout(request)


@transaction.atomic
def revoke(request: HttpRequest, account: Account, pk: int) -> bool:
    """« Déconnecter » one browser: its session, and what it signed in to elsewhere."""
    sids = list(
        UserSession.objects.filter(pk=pk, account=account, revoked_at__isnull=True).values_list("sid", flat=True)
    )
    count = UserSession.objects.filter(pk=pk, account=account, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        record(events.SESSION_REVOKED, actor=account, subject=account, ip=client_ip(request), session=pk)
        revocation.announce(account, request=request, sids=sids, reason="session", everything=False)
    return bool(count)


@transaction.atomic
def revoke_all(
    request: HttpRequest | None,
    account: Account,
    *,
    actor: Account | None = None,
    keep_current: bool = False,
    reason: str = "everywhere",
) -> int:
    """End every session of the account and, through the revocation signal, every token,
    ticket and single sign-on they opened (a password change, a reset, « Déconnecter
    partout », a disabled account, an administrator). With `keep_current` (none of these
    callers today) this browser stays signed in and its sign-ons live."""
    rows = UserSession.objects.filter(account=account, revoked_at__isnull=True)
    if keep_current and request is not None:
        rows = rows.exclude(sid=request.session.get(SID))
    sids = list(rows.values_list("sid", flat=True))
    count = rows.update(revoked_at=timezone.now())
    record(
        events.SESSION_REVOKED_ALL,
        actor=actor or account,
        subject=account,
        ip=client_ip(request) if request else None,
        count=count,
        reason=reason,
    )
    revocation.announce(account, request=request, sids=sids, reason=reason, everything=not keep_current)
    return count


def active(account: Account) -> QuerySet[UserSession]:
    return UserSession.objects.filter(account=account, revoked_at__isnull=True)
