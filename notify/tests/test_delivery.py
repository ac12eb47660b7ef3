import functools
from contextlib import suppress

import pytest
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from audit.models import Event
from notify.actions import deliver
from notify.models import Message
from notify.tasks import deliver_task, sweep_task

pytestmark = pytest.mark.django_db


def test_a_queued_mail_reaches_the_server_in_french(smtp_server, new_device_mail):
    message = new_device_mail("fr")
    assert deliver(message.pk) is True
    [received] = smtp_server.messages
    assert received["To"] == "camille.martin@univ-poitiers.fr"
    assert received["Subject"] == "Nouvelle connexion à votre compte"
    assert received["Auto-Submitted"] == "auto-generated"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Bonjour Camille Martin," in text
    assert "29 novembre 2026 08:40" in text  # shown in Paris time
    assert "https://guichet.example/mot-de-passe/" in text
    assert '<html lang="fr">' in html
    assert '<a href="https://guichet.example/mot-de-passe/">' in html
    assert "<script" not in html


def test_the_same_mail_in_english_for_an_english_reader(smtp_server, new_device_mail):
    deliver(new_device_mail("en").pk)
    [received] = smtp_server.messages
    assert received["Subject"] == "New sign-in to your account"
    assert received["Content-Language"] == "en"
    text = received.get_body(("plain",)).get_content()
    assert "Hello Camille Martin," in text
    assert "Nov. 29, 2026, 8:40 a.m." in text
    assert "Bonjour" not in text
    assert '<html lang="en">' in received.get_body(("html",)).get_content()


def test_a_sent_message_is_marked_sent(smtp_server, new_device_mail):
    message = new_device_mail()
    deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert message.sent_at is not None
    assert message.attempts == 0


def test_delivering_twice_sends_one_copy(smtp_server, new_device_mail):
    message = new_device_mail()
    assert deliver(message.pk) is True
    assert deliver(message.pk) is False
    assert len(smtp_server.messages) == 1


def test_a_message_claimed_by_another_worker_is_left_alone(smtp_server, new_device_mail):
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(status=Message.SENDING, claimed_at=timezone.now())
    assert deliver(message.pk) is False
    assert smtp_server.messages == []


def test_a_message_not_yet_due_waits(smtp_server, new_device_mail):
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + timezone.timedelta(minutes=1))
    assert deliver(message.pk) is False
    assert smtp_server.messages == []


def test_delivery_is_asked_for_only_after_commit(smtp_server, new_device_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            message = new_device_mail()
        assert smtp_server.messages == []
    # One delivery asked for (the audit log's own commit hooks feed the metrics, ops/metrics.py).
    assert len([c for c in callbacks if isinstance(c, functools.partial)]) == 1
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.status == Message.SENT


def test_a_rolled_back_change_queues_and_sends_nothing(
    smtp_server, new_device_mail, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, suppress(RuntimeError), transaction.atomic():
        new_device_mail()
        raise RuntimeError("the change that caused it failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert not Event.objects.exists()
    assert smtp_server.messages == []


def test_the_task_runs_at_once_in_tests(smtp_server, new_device_mail):
    assert HUEY.immediate
    message = new_device_mail()
    assert deliver_task(message.pk).get() is True
    message.refresh_from_db()
    assert message.status == Message.SENT


def test_the_periodic_sweep_runs_at_once_in_tests(smtp_server, new_device_mail):
    message = new_device_mail()
    sweep_task()  # periodic tasks keep no result; the outbox row tells
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert len(smtp_server.messages) == 1
