"""A self-service request, from the form to the worker, in one room.

The request is noted (keyed hashes for the limits) and written as a row in the request's
transaction, like an outbox message: a lost queue loses no request. The worker claims the
row, matches the contact and issues the link or code; the minutely sweep takes again what
no worker finished. Nothing here tells the caller whether an identifier exists or which
contacts it has: `request_code` returns nothing, and every branch does the same work.

At least once, never twice at a time: a row is claimed by a conditional UPDATE, and a claim
older than STALE_AFTER is a worker that died, so the sweep takes the row again.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.actions import throttling
from accounts.models import Throttle, normalize_identifier
from accounts.throttle import address_key
from audit.actions import client_ip, record

from .. import events
from ..models import RequestLog, ResetCode, ResetRequest
from .codes import digest, issue
from .lookup import find_account, matching_contact

# Request quotas, matched or not (so an unknown identifier is limited like a real one). An
# institution's network is many people: its quota is larger. A browser that signed in to the
# account before is never refused (accounts.actions.signin.trusted_device).
REQUEST_WINDOW = timedelta(minutes=10)
REQUEST_LIMIT = 5  # per identifier
REQUEST_NET_LIMIT = 5  # per address (IPv4) or /64 (IPv6)
REQUEST_CAMPUS_LIMIT = 100  # per address on an institution's declared network

STALE_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5
SWEEP_BATCH = 100

logger = logging.getLogger(__name__)


def over_limit(identifier: str, ip: str | None, now: datetime | None = None, *, trusted: bool = False) -> bool:
    """Counts this request against the identifier's and the network's quotas (atomically);
    True when one of them is spent. A trusted browser is neither counted nor refused."""
    if trusted:
        return False
    now = now or timezone.now()
    net_limit = REQUEST_CAMPUS_LIMIT if throttling.on_campus(ip) else REQUEST_NET_LIMIT
    if not throttling.window_take(Throttle.REQUEST_NET, address_key(ip), net_limit, REQUEST_WINDOW, now):
        return True
    if not throttling.window_take(
        Throttle.REQUEST_ID, normalize_identifier(identifier), REQUEST_LIMIT, REQUEST_WINDOW, now
    ):
        throttling.window_give_back(Throttle.REQUEST_NET, address_key(ip))
        return True
    return False


@transaction.atomic
def request_code(request: HttpRequest, identifier: str, channel: str, contact: str) -> None:
    """Note the request and hand the rest to the worker: the answer then takes the same
    time whether the identifier exists, the contact matches, or a link or code goes out."""
    ip = client_ip(request)
    RequestLog.objects.create(
        identifier_digest=digest("identifier", normalize_identifier(identifier)),
        ip_digest=digest("ip", ip or ""),
        at=timezone.now(),
    )
    write(identifier, channel, contact, ip, request.build_absolute_uri("/"))


def write(identifier: str, channel: str, contact: str, ip: str | None, site: str) -> ResetRequest:
    """The row, in the caller's transaction; the worker hears of it only after commit."""
    row = ResetRequest.objects.create(identifier=identifier, channel=channel, contact=contact, ip=ip, site=site)
    from ..tasks import process_request_task  # the task module imports this one

    transaction.on_commit(lambda: process_request_task(row.pk), robust=True)
    return row


def process_request(identifier: str, channel: str, contact: str, ip: str | None, site: str) -> None:
    """The worker's half of a request: send a link or code if the contact is a verified one."""
    now = timezone.now()
    account = find_account(identifier)
    target = matching_contact(account, channel, contact, now, ip)
    if account is None or not target:
        record(events.REQUEST_UNMATCHED, subject=account, subject_label="" if account else "-", ip=ip, channel=channel)
        return
    issue(None, account, channel, target, origin=ResetCode.SELF, site=site, ip=ip)


def process(request_id: int, now: datetime | None = None) -> bool:
    """Claim and process one request; True if this call processed it."""
    now = now or timezone.now()
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_AFTER)
    claimed = (
        ResetRequest.objects.filter(unclaimed, pk=request_id, processed_at__isnull=True)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = ResetRequest.objects.get(pk=request_id)
    try:
        with transaction.atomic():
            process_request(row.identifier, row.channel, row.contact, row.ip, row.site)
            _done(row, "done")
    except Exception as error:  # a directory down: the sweep tries again after STALE_AFTER
        logger.warning("reset request %s, attempt %s: %s", row.pk, row.attempts, type(error).__name__)
        if row.attempts >= MAX_ATTEMPTS:
            _done(row, "abandoned")
            record(events.REQUEST_ABANDONED, ip=row.ip, error=type(error).__name__, channel=row.channel)
        return False
    return True


def _done(row: ResetRequest, outcome: str) -> None:
    # What was typed is needed no longer: the limits count RequestLog's keyed hashes.
    ResetRequest.objects.filter(pk=row.pk).update(
        processed_at=timezone.now(), outcome=outcome, identifier="", contact="", site=""
    )


def process_due(now: datetime | None = None) -> int:
    """The sweep: every request no worker finished (lost queue, crash); returns how many."""
    now = now or timezone.now()
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_AFTER)
    due = ResetRequest.objects.filter(unclaimed, processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(process(pk, now=now) for pk in ids)
