"""Keeping recovery channels current: a fresh sign-in, a code sent to the new channel,
the old one told, and a 24-hour wait unless the change was made with a second factor."""

import hmac
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Account
from audit.actions import client_ip, record
from notify.actions import queue

from .. import events
from ..models import ChannelChange
from .codes import digest, new_code

CODE_TTL = timedelta(minutes=15)
UNTRUSTED_WAIT = timedelta(hours=24)
MAX_ATTEMPTS = 5


@transaction.atomic
def reconfirm(request: HttpRequest, account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(channels_confirmed_at=timezone.now())
    record(events.CHANNELS_RECONFIRMED, actor=account, subject=account, ip=client_ip(request))


@transaction.atomic
def start_change(request: HttpRequest, account: Account, channel: str, value: str) -> ChannelChange | None:
    """Send a code to the NEW channel; nothing changes until it comes back. None when the
    SMS quotas refuse (too many SMS to that number, for this account or from this network):
    nothing is started then."""
    now = timezone.now()
    ChannelChange.objects.filter(account=account, ended_at__isnull=True).update(ended_at=now)
    code = new_code()
    change = ChannelChange.objects.create(
        account=account,
        channel=channel,
        new_value=value,
        code_digest=digest("channel-code", code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    context = {"account": account, "code": code, "minutes": int(CODE_TTL.total_seconds() // 60)}
    sent = queue(
        channel,
        to=value,
        template="channel_code",
        context=context,
        language=account.language,
        purpose="recovery.channel_code",
        account=account,
        ip=client_ip(request),
    )
    if sent is None:
        ChannelChange.objects.filter(pk=change.pk).update(ended_at=now)  # no code went: nothing to confirm
        record(events.CHANNEL_CHANGE_REFUSED, actor=account, subject=account, ip=client_ip(request))
        return None
    record(events.CHANNEL_CHANGE_STARTED, actor=account, subject=account, ip=client_ip(request), channel=channel)
    return change


def pending(account: Account) -> ChannelChange | None:
    return (
        ChannelChange.objects.filter(account=account, ended_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def confirm_change(request: HttpRequest, account: Account, code: str) -> bool:
    now = timezone.now()
    change = pending(account)
    if change is None:
        return False
    if not hmac.compare_digest(digest("channel-code", "".join(c for c in code if c.isdigit())), change.code_digest):
        change.attempts += 1
        change.ended_at = now if change.attempts >= MAX_ATTEMPTS else None
        change.save(update_fields=["attempts", "ended_at"])
        return False
    change.ended_at = now
    change.save(update_fields=["ended_at"])
    # Signed in with a second factor: the change is trusted at once; with a password alone,
    # it waits a day, so a stolen password cannot redirect recovery to the thief right away.
    usable_from = now if getattr(request.user, "is_verified", lambda: False)() else now + UNTRUSTED_WAIT
    old_email, old_mobile = account.recovery_email(), account.recovery_mobile()
    if change.channel == "email":
        account.secondary_email, account.secondary_email_verified_at = change.new_value, now
        account.secondary_email_usable_from = usable_from
    else:
        account.mobile, account.mobile_verified_at, account.mobile_usable_from = change.new_value, now, usable_from
    account.channels_confirmed_at = now
    account.save()
    record(
        events.CHANNEL_CHANGED,
        actor=account,
        subject=account,
        ip=client_ip(request),
        channel=change.channel,
        with_second_factor=usable_from == now,
    )
    _tell_old_channel(account, change.channel, old_email, old_mobile)
    return True


def _tell_old_channel(account: Account, channel: str, old_email: str, old_mobile: str) -> None:
    context = {"account": account, "channel": channel, "when": timezone.now()}
    old, new = (old_email, account.secondary_email) if channel == "email" else (old_mobile, str(account.mobile))
    if old and old != new:
        queue(
            channel,
            to=old,
            template="channel_changed",
            context=context,
            language=account.language,
            purpose="recovery.channel_changed",
            account=account,
        )
