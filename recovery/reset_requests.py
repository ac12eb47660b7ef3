"""Reset requests as rows: written with the request, processed by the worker, re-processed
by the minutely sweep. The request and worker half of self-service recovery; the matching
and issuing themselves are recovery.actions.process_request and issue.

At least once, never twice at a time: a row is claimed by a conditional UPDATE, and a claim
older than STALE_AFTER is a worker that died, so the sweep takes the row again.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.actions import record

from .models import ResetRequest

STALE_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5
SWEEP_BATCH = 100

logger = logging.getLogger(__name__)


def write(identifier: str, channel: str, contact: str, ip: str | None, site: str) -> ResetRequest:
    """The row, in the caller's transaction; the worker hears of it only after commit."""
    row = ResetRequest.objects.create(identifier=identifier, channel=channel, contact=contact, ip=ip, site=site)
    from .tasks import process_request_task

    transaction.on_commit(lambda: process_request_task(row.pk), robust=True)
    return row


def process(request_id: int, now=None) -> bool:
    """Claim and process one request; True if this call processed it."""
    from . import actions

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
            actions.process_request(row.identifier, row.channel, row.contact, row.ip, row.site)
            _done(row, "done")
    except Exception as error:  # a directory down: the sweep tries again after STALE_AFTER
        logger.warning("reset request %s, attempt %s: %s", row.pk, row.attempts, type(error).__name__)
        if row.attempts >= MAX_ATTEMPTS:
            _done(row, "abandoned")
            record("recovery.request.abandoned", ip=row.ip, error=type(error).__name__, channel=row.channel)
        return False
    return True


def _done(row: ResetRequest, outcome: str) -> None:
    # What was typed is needed no longer: the limits count RequestLog's keyed hashes.
    ResetRequest.objects.filter(pk=row.pk).update(
        processed_at=timezone.now(), outcome=outcome, identifier="", contact="", site=""
    )


def process_due(now=None) -> int:
    """The sweep: every request no worker finished (lost queue, crash); returns how many."""
    now = now or timezone.now()
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_AFTER)
    due = ResetRequest.objects.filter(unclaimed, processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(process(pk, now=now) for pk in ids)
