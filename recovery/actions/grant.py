"""Checking a code or a link, the grant it opens, and setting the new password."""

import hmac
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts import directories
from accounts.actions import passwords, throttling
from accounts.actions.signin import trusted_device
from accounts.models import Account, Throttle, normalize_identifier
from accounts.throttle import address_key
from audit.actions import client_ip, record
from notify.actions import queue

from .. import events
from ..models import ResetCode
from .codes import digest, normalize_code

# Wrong codes, across requests: the per-account budget guards self-service codes (the code
# itself also dies after five wrong entries); the network budget guards every code. Codes
# from support or HR are never ended nor refused because of someone else's wrong codes:
# 31^8 codes against a network budget leave a guess no chance.
CODE_ACCOUNT_WINDOW, CODE_ACCOUNT_LIMIT = timedelta(hours=24), 10
CODE_NET_WINDOW, CODE_NET_LIMIT, CODE_CAMPUS_LIMIT = timedelta(minutes=10), 20, 200
GRANT = "recovery.grant"
GRANT_SECONDS = 15 * 60


class CodeLimited(Exception):
    """Too many wrong codes from this network, or for this account's self-service codes."""


def check_code(request: HttpRequest, identifier: str, code: str) -> ResetCode | None:
    """The live reset this code opens, or None; raises CodeLimited when the budgets are spent.

    Every attempt is counted before the comparison (atomically), and given back when right,
    so thirty-two attempts at once get exactly the budget thirty-two in a row would.
    """
    now = timezone.now()
    ip = client_ip(request)
    normalized = normalize_identifier(identifier)
    account = Account.objects.filter(identifier=normalized).first()
    trusted = bool(account and trusted_device(request, account.identifier))
    net = address_key(ip)
    net_limit = CODE_CAMPUS_LIMIT if throttling.on_campus(ip) else CODE_NET_LIMIT
    if not trusted and not throttling.window_take(Throttle.CODE_NET, net, net_limit, CODE_NET_WINDOW, now):
        _limited(account, ip, "network")
    live = list(
        ResetCode.objects.filter(account=account, ended_at__isnull=True, expires_at__gt=now).exclude(code_digest="")
        if account
        else []
    )
    assisted = [r for r in live if r.origin != ResetCode.SELF]
    own = [r for r in live if r.origin == ResetCode.SELF]
    # The account's budget is asked only when a self-service code is at stake (else an
    # attacker's wrong codes would refuse the code support printed).
    own_allowed = trusted or throttling.window_take(
        Throttle.CODE_ID, normalized, CODE_ACCOUNT_LIMIT, CODE_ACCOUNT_WINDOW, now
    )
    given = digest("code", normalize_code(code))
    match = next((r for r in assisted if hmac.compare_digest(given, r.code_digest)), None)
    if match is None and own_allowed:
        match = next((r for r in own if _reserve_entry(r) and hmac.compare_digest(given, r.code_digest)), None)
    if match is not None:
        if not trusted:
            throttling.window_give_back(Throttle.CODE_NET, net)
            if own_allowed:
                throttling.window_give_back(Throttle.CODE_ID, normalized)
        return _grant(request, match, now)
    if not own_allowed and not assisted:
        _limited(account, ip, "account")
    if account is not None:
        record(events.CODE_WRONG, subject=account, ip=ip)
    return None


def _limited(account: Account | None, ip: str | None, scope: str) -> None:
    record(events.CODE_LIMITED, subject=account, subject_label="" if account else "-", ip=ip, scope=scope)
    raise CodeLimited()


def _reserve_entry(reset: ResetCode) -> bool:
    """Count one entry on a self-service code before comparing; at five wrong ones it dies."""
    with transaction.atomic():
        taken = ResetCode.objects.filter(pk=reset.pk, attempts__lt=ResetCode.MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        if not taken:
            return False
        row = ResetCode.objects.select_for_update().get(pk=reset.pk)
        if row.attempts >= ResetCode.MAX_ATTEMPTS:
            # The fifth entry is still compared; after it the code is gone.
            _kill_code(row, timezone.now())
        return True


def _kill_code(reset: ResetCode, now: datetime) -> None:
    if reset.link_digest:  # a code of an older e-mail, which also carried a link: that stays good
        ResetCode.objects.filter(pk=reset.pk).update(code_digest="")
    else:
        ResetCode.objects.filter(pk=reset.pk).update(ended_at=now, end_reason="killed")


def check_link(request: HttpRequest, link: str) -> ResetCode | None:
    now = timezone.now()
    reset = ResetCode.objects.filter(link_digest=digest("link", link or ""), ended_at__isnull=True).first()
    if reset is None or not reset.is_live(now) or not link:
        return None
    return _grant(request, reset, now)


def _grant(request: HttpRequest, reset: ResetCode, now: datetime) -> ResetCode:
    """A right code or link is used up at once; the session may now set one password."""
    ResetCode.objects.filter(pk=reset.pk).update(ended_at=now, end_reason="used")
    request.session.cycle_key()
    request.session[GRANT] = {"account": reset.account_id, "reset": reset.pk, "at": now.timestamp()}
    record(events.CODE_USED, subject=reset.account, ip=client_ip(request), channel=reset.channel)
    return reset


def granted_account(request: HttpRequest) -> Account | None:
    grant = request.session.get(GRANT)
    if not grant or timezone.now().timestamp() - grant["at"] > GRANT_SECONDS:
        return None
    return Account.objects.filter(pk=grant["account"]).first()


def is_current_password(account: Account, password: str) -> bool:
    try:
        return directories.for_institution(account.institution).authenticate(account.identifier, password) is not None
    except directories.DirectoryUnavailable:
        return False


def user_inputs(account: Account) -> list[str]:
    """The person's own words, which a password should not be made of (policy splits them)."""
    values = [account.identifier, account.display_name, account.secondary_email]
    return [v for v in (*values, account.institution.name_fr, account.institution.short_name_fr) if v]


@transaction.atomic
def set_new_password(request: HttpRequest, account: Account, password: str) -> None:
    """The directory gets the new password (already judged by NewPasswordForm against the
    policy); sessions end, the pause lifts, channels are told."""
    passwords.set_password(request, account, password, reason="reset")
    request.session.pop(GRANT, None)
    context = {"account": account, "when": timezone.now()}
    for channel, target in ((ResetCode.EMAIL, account.recovery_email()), (ResetCode.SMS, account.recovery_mobile())):
        if target:
            queue(
                channel,
                to=target,
                template="password_changed",
                context=context,
                language=account.language,
                purpose="recovery.password_changed",
                account=account,
                ip=client_ip(request),
            )
