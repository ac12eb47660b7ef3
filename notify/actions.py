"""Queueing and delivering messages.

Delivery is at least once, and never by two workers at the same time: a row is claimed by
a conditional UPDATE before it is sent. If a worker dies after the server accepted the
message but before the row says so, the sweep sends it again; a duplicate notice is
better than a lost one.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.actions import record
from notify import events, later, tasks

from .channels import CHANNELS
from .channels.errors import PermanentFailure
from .models import Message
from .schedule import MAX_ATTEMPTS, MIN_VALIDITY_LEFT, STALE_AFTER, retry_delay

if TYPE_CHECKING:
    # For the checker only: the account model is settings.AUTH_USER_MODEL, an upper floor
    # that notify never imports at run time.
    from accounts.models import Account

SWEEP_BATCH = 100
# purpose -> what re-issues a message that would arrive expired (recovery registers
# "recovery.code" in its AppConfig.ready(): notify never imports the apps above it).
EXPIRING: dict[str, Callable[[Message], None]] = {}

logger = logging.getLogger(__name__)


class Outgoing(TypedDict):
    """What a caller says of a message; the template is rendered in `language`."""

    to: str
    template: str
    context: dict[str, Any]
    language: str
    purpose: str
    account: NotRequired["Account | None"]
    expires_at: NotRequired[datetime | None]
    reference: NotRequired[dict[str, Any] | None]


def queue_email(**outgoing: Unpack[Outgoing]) -> Message:
    """Render notify/email/<template>.subject.txt, .txt and .html in `language`; queue it.

    Call it inside the transaction of the change that causes the message: the message then
    exists if and only if the change does, and the worker hears of it only after commit.
    """
    return _queue(_compose(Message.EMAIL, outgoing))


def queue_email_later(**outgoing: Unpack[Outgoing]) -> Message:
    """queue_email, rendered by the worker just before it sends (notify/later.py): for a
    notice whose sender is in a hurry. Same transaction rule."""
    message = _row(Message.EMAIL, outgoing)
    message.template, message.context = outgoing["template"], later.dump(outgoing["context"])
    return _queue(message)


def queue_sms(*, ip: str | None = None, **outgoing: Unpack[Outgoing]) -> Message | None:
    """Render notify/sms/<template>.txt in `language`; queue it. Same transaction rule.

    Every SMS goes through the quotas (notify.quotas: per number, account, network and the
    day's budget with its share kept for resets): None when they refuse, and nothing queued.
    """
    from . import quotas  # quotas queue the budget alert through this module

    network = quotas.network_of(ip)
    account, purpose = outgoing.get("account"), outgoing["purpose"]
    if not quotas.sms_allowed(outgoing["to"], account=account, network=network, purpose=purpose):
        record(events.SMS_REFUSED, subject=account, ip=ip, purpose=purpose)
        return None
    return _queue(_compose(Message.SMS, outgoing, network=network))


def _row(channel: str, outgoing: Outgoing, network: str = "") -> Message:
    return Message(
        channel=channel,
        to=outgoing["to"],
        language=outgoing["language"],
        purpose=outgoing["purpose"],
        account=outgoing.get("account"),
        expires_at=outgoing.get("expires_at"),
        reference=outgoing.get("reference") or {},
        network=network,
    )


def _compose(channel: str, outgoing: Outgoing, network: str = "") -> Message:
    """The message row, its template rendered in the recipient's language."""
    message = _row(channel, outgoing, network)
    _render(message, outgoing["template"], outgoing["context"])
    return message


def _render(message: Message, name: str, context: dict[str, Any]) -> None:
    context = {"site_name": settings.GUICHET_SITE_NAME, **context}
    template = f"notify/{message.channel}/{name}"
    with translation.override(message.language):
        if message.channel == Message.SMS:
            message.body_text = render_to_string(f"{template}.txt", context).strip()
        else:
            # A header is one line, whatever the template's layout.
            message.subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
            message.body_text = render_to_string(f"{template}.txt", context)
            message.body_html = render_to_string(f"{template}.html", context)


def queue(channel: str, *, ip: str | None = None, **message: Unpack[Outgoing]) -> Message | None:
    """queue_email or queue_sms, for callers that hold the channel's name ("email" | "sms");
    `ip` (the requester's address) feeds the SMS per-network quota."""
    if channel == Message.SMS:
        return queue_sms(ip=ip, **message)
    return queue_email(**message)


def _queue(message: Message) -> Message:
    with transaction.atomic():
        message.save()
        record(events.MESSAGE_QUEUED, subject=message.account, **_facts(message))
        # robust: if the queue itself is down, the change still stands; the sweep sends it.
        transaction.on_commit(partial(tasks.deliver_task, message.pk), robust=True)
    return message


def deliver(message_id: int, *, now: datetime | None = None) -> bool:
    """Send one message if it is queued and due; True if it went out now.

    `now` decides what is due and dates what happens (the sweep and tests pass it).
    """
    now = now or timezone.now()
    # The conditional UPDATE is the lock: of two callers, only one gets a count of 1.
    claimed = Message.objects.filter(pk=message_id, status=Message.QUEUED, next_attempt_at__lte=now).update(
        status=Message.SENDING, claimed_at=now
    )
    if not claimed:
        return False
    message = Message.objects.select_related("account").get(pk=message_id)
    if message.expires_at is not None and message.expires_at - MIN_VALIDITY_LEFT <= now:
        _expired(message, now)
        return False
    try:
        if message.template and message.context is not None:  # queued by queue_email_later
            _render(message, message.template, later.load(message.context, message.account))
        reference = CHANNELS[message.channel].send(message)
    except Exception as error:  # SMTP down, refused, timed out, no provider: retried, unless PermanentFailure
        _failed(message, error, now)
        return False
    message.status, message.sent_at = Message.SENT, now
    # Delivered: the content is the recipient's now, and a code or link kept here would only
    # be something to steal. The row stays, as metadata, for quotas and the audit trail.
    message.subject = message.body_text = message.body_html = message.context = None
    with transaction.atomic():
        message.save(update_fields=["status", "sent_at", "subject", "body_text", "body_html", "context"])
        # The provider's id for the message (SMS backends return one): to find it on their side.
        provider: dict[str, Any] = {"reference": str(reference)} if reference else {}
        record(events.MESSAGE_SENT, subject=message.account, **_facts(message), **provider)
    return True


def _expired(message: Message, now: datetime) -> None:
    """Too late to be of use: never sent, content dropped, and its app asked for a fresh one."""
    message.status, message.claimed_at = Message.EXPIRED, None
    message.subject = message.body_text = message.body_html = message.context = None
    with transaction.atomic():
        message.save(update_fields=["status", "claimed_at", "subject", "body_text", "body_html", "context"])
        record(events.MESSAGE_EXPIRED, subject=message.account, **_facts(message))
        reissue = EXPIRING.get(message.purpose)
        if reissue is not None:
            reissue(message)


def _failed(message: Message, error: Exception, now: datetime) -> None:
    message.attempts += 1
    # The exception's own words, cut short; the body is never part of it.
    message.last_error = f"{type(error).__name__}: {error}"[:300]
    message.claimed_at = None
    # A refusal for good (an invalid number) would only be refused again for 15 hours.
    abandoned = message.attempts >= MAX_ATTEMPTS or isinstance(error, PermanentFailure)
    if abandoned:
        message.status = Message.FAILED
    else:
        message.status, message.next_attempt_at = Message.QUEUED, now + retry_delay(message.attempts)
    with transaction.atomic():
        message.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at", "last_error"])
        # One event per attempt: `failed` while retrying, `abandoned` for the last one.
        record(
            events.MESSAGE_ABANDONED if abandoned else events.MESSAGE_FAILED,
            subject=message.account,
            attempts=message.attempts,
            error=type(error).__name__,
            **_facts(message),
        )
    logger.warning("message %s (%s), attempt %s: %s", message.pk, message.purpose, message.attempts, message.last_error)


def sweep(now: datetime | None = None) -> int:
    """Recover messages whose worker died, then send what is due; returns how many went."""
    at = now or timezone.now()
    _recover_stale(at)
    due = Message.objects.filter(status=Message.QUEUED, next_attempt_at__lte=at).order_by("next_attempt_at")
    # Without an explicit `now`, each delivery reads the clock itself: a long batch stays honest.
    return sum(deliver(pk, now=now) for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]))


def _recover_stale(at: datetime) -> None:
    stale = Message.objects.filter(status=Message.SENDING, claimed_at__lt=at - STALE_AFTER).select_related("account")
    for message in stale[:SWEEP_BATCH]:
        # Conditional again: the slow worker may have finished in the meantime.
        recovered = Message.objects.filter(pk=message.pk, status=Message.SENDING, claimed_at=message.claimed_at).update(
            status=Message.QUEUED, claimed_at=None, next_attempt_at=at
        )
        if recovered:
            record(events.MESSAGE_RECOVERED, subject=message.account, **_facts(message))


def resend_now(messages: QuerySet[Message], *, actor: "Account", ip: str | None = None) -> int:
    """Put queued or abandoned messages first in line (the admin's « Renvoyer maintenant »).

    Attempts are kept: an abandoned message gets one more try, and is abandoned again if it
    fails, rather than another night of retries nobody asked for.
    """
    count = 0
    with transaction.atomic():
        for message in messages.filter(status__in=[Message.QUEUED, Message.FAILED]).select_related("account"):
            Message.objects.filter(pk=message.pk).update(status=Message.QUEUED, next_attempt_at=timezone.now())
            record(events.MESSAGE_RESENT, actor=actor, subject=message.account, ip=ip, **_facts(message))
            transaction.on_commit(partial(tasks.deliver_task, message.pk), robust=True)
            count += 1
    return count


def _facts(message: Message) -> dict[str, Any]:
    # What the log may know of a message: never its body nor its recipient.
    return {"message_id": message.pk, "channel": message.channel, "purpose": message.purpose}
