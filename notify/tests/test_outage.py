from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from notify.actions import deliver, sweep
from notify.models import Message

pytestmark = pytest.mark.django_db


def test_an_outage_keeps_the_message_in_the_outbox(smtp_server, new_device_mail):
    smtp_server.stop()
    message = new_device_mail()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert message.last_error.startswith("ConnectionRefusedError")
    assert "Camille" not in message.last_error
    assert "mot-de-passe" not in message.last_error


def test_after_the_outage_the_sweep_sends_it_exactly_once(smtp_server, new_device_mail):
    smtp_server.stop()
    message = new_device_mail()
    deliver(message.pk)
    smtp_server.start()
    assert sweep() == 0  # not due yet
    later = timezone.now() + timedelta(seconds=31)
    assert sweep(now=later) == 1
    assert sweep(now=later) == 0
    assert deliver(message.pk, now=later) is False
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.status == Message.SENT


def test_retries_back_off_to_an_hour(smtp_server, new_device_mail):
    smtp_server.stop()
    message = new_device_mail()
    now, waits = timezone.now(), []
    for _ in range(8):
        deliver(message.pk, now=now)
        message.refresh_from_db()
        waits.append((message.next_attempt_at - now).total_seconds())
        now = message.next_attempt_at
    assert waits == [30, 60, 120, 300, 600, 1800, 3600, 3600]
    assert message.attempts == 8


def test_after_twenty_attempts_the_message_is_abandoned(smtp_server, new_device_mail):
    smtp_server.stop()
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(attempts=19)
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.FAILED
    assert message.attempts == 20
    assert Event.objects.filter(code="notify.message.abandoned", data__message_id=message.pk).exists()
    smtp_server.start()
    assert sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert smtp_server.messages == []


def test_a_message_whose_worker_died_is_sent_again(smtp_server, new_device_mail):
    message = new_device_mail()
    crashed_at = timezone.now() - timedelta(seconds=61)  # retried within the minute after
    Message.objects.filter(pk=message.pk).update(status=Message.SENDING, claimed_at=crashed_at)
    assert sweep() == 1
    assert len(smtp_server.messages) == 1
    assert Event.objects.filter(code="notify.message.recovered", data__message_id=message.pk).exists()


def test_a_message_being_sent_right_now_is_not_taken_away(smtp_server, new_device_mail):
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(
        status=Message.SENDING, claimed_at=timezone.now() - timedelta(seconds=30)
    )
    assert sweep() == 0
    message.refresh_from_db()
    assert message.status == Message.SENDING
    assert smtp_server.messages == []
