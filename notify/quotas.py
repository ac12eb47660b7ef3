"""How many SMS may go out: per number, per account, per network, and for the whole site.

queue_sms asks here before it writes a row, so every path that sends an SMS (a reset code,
a new recovery number's code, a notice) is bounded, whoever calls it. A share of the daily
budget is kept for reset codes: sign-up noise (numbers being added) cannot starve resets.

Counted from the outbox itself (every SMS is a Message row, whatever became of it), so the
limits hold across workers and processes with no table of their own. Every SMS row counts,
sent or not: an SMS asked for is an SMS asked for, and a failed one may have cost credits.
"""

import ipaddress
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from audit.actions import record
from audit.models import Event

from . import events
from .models import Message

if TYPE_CHECKING:
    # For the checker only: notify never imports the accounts floor at run time.
    from accounts.models import Account

# At most this many SMS in any window of this length (the windows slide): to one number,
# for one account (all its numbers, every purpose), from one network (IPv4 /24, IPv6 /64:
# a campus NAT is many people, so it gets more room than one person).
Windows = tuple[tuple[timedelta, int], ...]
PER_NUMBER: Windows = ((timedelta(minutes=1), 1), (timedelta(hours=1), 3), (timedelta(days=1), 5))
PER_ACCOUNT: Windows = ((timedelta(hours=1), 4), (timedelta(days=1), 8))
PER_NETWORK: Windows = ((timedelta(minutes=10), 20), (timedelta(days=1), 200))
# Percent of the daily budget only reset codes may use.
RESET_RESERVE_PERCENT = 30
RESET_PURPOSES = frozenset({"recovery.code"})
# Notices of a change the person just made (a reset, a new number), and a support agent's
# answer to a ticket: nobody can make them flow without making the change or being an agent,
# so only the account's and the day's limits apply.
NOTICE_PURPOSES = frozenset(
    {"recovery.password_changed", "recovery.channel_changed", "recovery.printed_notice", "support.reply"}
)
ALERT_PERCENT = 80
ALERT_PURPOSE = "notify.sms_budget"
EXHAUSTED = events.SMS_BUDGET_EXHAUSTED

logger = logging.getLogger(__name__)

# Whom to tell: (address, language, account or None for GUICHET_ADMIN_EMAILS).
Recipient = tuple[str, str, "Account | None"]


def network_of(ip: str | None) -> str:
    """The requester's network, as quotas count it: IPv4 /24, IPv6 /64; "" when unknown."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def sms_allowed(
    number: str,
    now: datetime | None = None,
    *,
    account: "Account | None" = None,
    network: str = "",
    purpose: str = "recovery.code",
) -> bool:
    """May one more SMS be queued for `number` (E.164, as given to queue_sms)?

    Call it, then queue_sms, in one transaction (queue_sms calls it itself): on SQLite
    (immediate transactions) two requests then cannot both take the last place; elsewhere
    they might, by one.
    Side effects, once a day each: the alert e-mail to administrators when the day's count
    reaches 80 % of GUICHET_SMS_DAILY_BUDGET, an audit event when it reaches 100 %.
    """
    now = now or timezone.now()
    # A message found too late and re-issued never left: it costs nothing and counts nothing.
    sms = Message.objects.filter(channel=Message.SMS, created_at__lte=now).exclude(status=Message.EXPIRED)
    rules: list[tuple[QuerySet[Message], Windows]] = []
    if purpose not in NOTICE_PURPOSES:
        rules.append((sms.filter(to=number), PER_NUMBER))
        if network:
            rules.append((sms.filter(network=network), PER_NETWORK))
    if account is not None:
        rules.append((sms.filter(account=account), PER_ACCOUNT))
    for rows, windows in rules:
        for window, limit in windows:
            if rows.filter(created_at__gt=now - window).count() >= limit:
                return False
    return _within_budget(sms, now, purpose)


def _within_budget(sms: QuerySet[Message], now: datetime, purpose: str = "recovery.code") -> bool:
    # The budget is per calendar day where Guichet is (TIME_ZONE), as a bill would count it.
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    budget = settings.GUICHET_SMS_DAILY_BUDGET
    count = sms.filter(created_at__gte=day_start).count()
    if count * 100 >= budget * ALERT_PERCENT:
        already = Message.objects.filter(purpose=ALERT_PURPOSE, created_at__gte=day_start, created_at__lt=day_end)
        if not already.exists():
            _alert(count, budget, day_start, now)
    if purpose not in RESET_PURPOSES and count * 100 >= budget * (100 - RESET_RESERVE_PERCENT):
        return False  # the rest of the day's budget is kept for reset codes
    if count < budget:
        return True
    # Once a day, found by the day it names rather than by when it was written (`now` is the
    # caller's clock, the event's date is the real one).
    day = day_start.date().isoformat()
    if not Event.objects.filter(code=EXHAUSTED, data__day=day).exists():
        record(EXHAUSTED, day=day, budget=budget, count=count)
        logger.warning("SMS budget exhausted for %s: %s of %s", day, count, budget)
    return False


def _alert(count: int, budget: int, day_start: datetime, now: datetime) -> None:
    recipients = administrators()
    if not recipients:
        logger.warning("SMS budget at %s of %s and no administrator to tell (GUICHET_ADMIN_EMAILS)", count, budget)
        return
    percent = count * 100 // budget if budget else 100
    context = {"count": count, "budget": budget, "percent": percent, "day": day_start.date()}
    from .actions import queue_email  # actions ask here before queueing an SMS

    for address, language, account in recipients:
        message = queue_email(
            to=address,
            template="sms_budget",
            context=context,
            language=language,
            purpose=ALERT_PURPOSE,
            account=account,
        )
        # Dated by the same clock as the count, so "one a day" means the day that was counted.
        Message.objects.filter(pk=message.pk).update(created_at=now)


def administrators() -> list[Recipient]:
    """(address, language, account) for GUICHET_ADMIN_EMAILS and every staff account with a
    verified secondary address; each address once."""
    found: dict[str, Recipient] = {}
    staff = get_user_model().objects.filter(is_staff=True, secondary_email_verified_at__isnull=False)
    for account in staff.exclude(secondary_email="").order_by("pk"):
        found.setdefault(account.secondary_email.lower(), (account.secondary_email, account.language, account))
    for address in settings.GUICHET_ADMIN_EMAILS:
        if address.strip():
            found.setdefault(address.strip().lower(), (address.strip(), settings.LANGUAGE_CODE, None))
    return list(found.values())
