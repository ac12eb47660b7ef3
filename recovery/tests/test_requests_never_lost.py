"""Nothing promised is lost: a reset request is a row; a lost queue, a crashed worker or a
late delivery delays it, never loses it, and a code that would arrive expired is re-issued."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from audit.models import Event
from notify.actions import deliver, sweep
from notify.models import Message
from recovery.actions import requests as reset_requests
from recovery.models import ResetCode, ResetRequest

from .conftest import ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


def test_a_lost_queue_loses_no_request(client, nurse, smtp_server, django_capture_on_commit_callbacks):
    # Ten people ask. The test transaction never commits, so the queue never hears of these
    # requests, as if its file had been lost: only the rows remain.
    for n in range(10):
        Account.objects.create_user(
            f"agent{n}@chu-poitiers.fr",
            institution=nurse.institution,
            public=nurse.public,
            secondary_email=f"agent{n}@example.org",
            secondary_email_verified_at=timezone.now() - timedelta(days=2),
        )
        ask(client, f"agent{n}@chu-poitiers.fr", contact=f"agent{n}@example.org", ip=f"192.0.2.{n}")
    assert ResetRequest.objects.filter(processed_at__isnull=True).count() == 10
    with django_capture_on_commit_callbacks(execute=True):
        assert reset_requests.process_due() == 10
    assert ResetRequest.objects.filter(outcome="done").count() == 10
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(f"agent{n}@example.org" for n in range(10))
    assert ResetCode.objects.filter(ended_at__isnull=True).count() == 10


def test_a_processed_row_keeps_nothing_that_was_typed(client, nurse):
    ask(client, NURSE)
    reset_requests.process_due()
    row = ResetRequest.objects.get()
    assert (row.identifier, row.contact, row.outcome) == ("", "", "done")


def test_a_request_whose_worker_died_is_taken_again_after_a_minute(client, nurse):
    ask(client, NURSE)
    ResetRequest.objects.update(claimed_at=timezone.now() - timedelta(seconds=30), attempts=1)
    assert reset_requests.process_due() == 0  # the worker may still be on it
    later = timezone.now() + timedelta(seconds=61)
    assert reset_requests.process_due(now=later) == 1
    assert reset_requests.process_due(now=later) == 0  # and only once
    assert ResetCode.objects.count() == 1


def test_a_request_is_processed_once_even_if_both_queue_and_sweep_run(client, nurse):
    ask(client, NURSE)
    row = ResetRequest.objects.get()
    assert reset_requests.process(row.pk) is True
    assert reset_requests.process(row.pk) is False
    assert reset_requests.process_due() == 0
    assert ResetCode.objects.count() == 1


def test_an_unknown_identifier_is_a_row_too(client, poitiers):
    ask(client, "personne@chu-poitiers.fr")
    assert reset_requests.process_due() == 1
    assert Event.objects.filter(code="recovery.request.unmatched").count() == 1


def test_a_code_that_would_arrive_expired_is_reissued_not_sent(client, nurse, smtp_server):
    ask(client, NURSE, channel="sms", contact="06 12 34 56 78")
    reset_requests.process_due()
    late = Message.objects.get(purpose="recovery.code")  # no SMS provider here: still queued
    first = ResetCode.objects.get()
    eight_minutes_later = timezone.now() + timedelta(minutes=8)  # a 10-minute code, 2 left
    assert deliver(late.pk, now=eight_minutes_later) is False
    late.refresh_from_db()
    assert late.status == Message.EXPIRED and late.body_text is None
    first.refresh_from_db()
    assert first.ended_at is not None and first.end_reason == "reissued"
    fresh = Message.objects.get(purpose="recovery.code", status=Message.QUEUED)
    assert fresh.to == late.to and fresh.reference["reissues"] == 1
    assert ResetCode.objects.get(ended_at__isnull=True).expires_at > first.expires_at
    assert Event.objects.filter(code="recovery.code.reissued").count() == 1


def test_reissues_stop_after_two_during_a_long_outage(client, nurse):
    ask(client, NURSE, channel="sms", contact="06 12 34 56 78")
    reset_requests.process_due()
    at = timezone.now()
    for _ in range(5):
        at += timedelta(minutes=8)
        sweep(now=at)
    assert Event.objects.filter(code="recovery.code.reissued").count() == 2


def test_a_code_in_time_is_sent_as_usual(client, nurse, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, NURSE)
    with django_capture_on_commit_callbacks(execute=True):
        reset_requests.process_due()
    assert Message.objects.get(purpose="recovery.code").status == Message.SENT
    assert len(smtp_server.messages) == 1
