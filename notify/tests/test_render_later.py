"""Notices the worker renders just before sending (notify/later.py): the same mail as one
rendered at once, in the recipient's language; nothing readable in the table meanwhile; sent
exactly once even across an SMTP outage; and the sign-in that causes one renders nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from notify.actions import deliver, queue_email, queue_email_later, sweep
from notify.models import Message
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

CONTEXT = {
    "when": datetime(2026, 11, 29, 7, 40, tzinfo=UTC),
    "device": "Firefox, Linux",
    "place": "192.168.1.x",
    "connections_url": "https://guichet.example/compte/connexions/",
    "reset_url": "https://guichet.example/mot-de-passe/",
}


def _queue(account, how, language="fr"):
    return how(
        to=account.identifier,
        template="new_device",
        context={"account": account, **CONTEXT},
        language=language,
        purpose="accounts.new_device",
        account=account,
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_rendered_by_the_worker_it_is_the_very_mail_rendered_at_once(account, smtp_server, language):
    deliver(_queue(account, queue_email, language).pk)
    deliver(_queue(account, queue_email_later, language).pk)
    at_once, later = smtp_server.messages
    assert later["Subject"] == at_once["Subject"] and later["Content-Language"] == language
    for part in ("plain", "html"):
        assert later.get_body((part,)).get_content() == at_once.get_body((part,)).get_content()
    assert ("29 novembre 2026 08:40" if language == "fr" else "Nov. 29, 2026, 8:40 a.m.") in later.get_body(
        ("plain",)
    ).get_content()


def test_waiting_it_holds_no_body_and_nothing_readable(account):
    message = _queue(account, queue_email_later)
    message.refresh_from_db()
    assert message.body_text is None and message.subject is None and message.template == "new_device"
    with connection.cursor() as cursor:
        cursor.execute("SELECT context FROM notify_message WHERE id = %s", [message.pk])
        [stored] = cursor.fetchone()
    assert stored and "Firefox" not in stored and "guichet.example" not in stored


def test_delivered_its_context_is_gone(account, smtp_server):
    message = _queue(account, queue_email_later)
    deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Message.SENT and message.context is None and message.body_text is None


def test_across_an_smtp_outage_it_goes_out_once(account, smtp_server):
    message = _queue(account, queue_email_later)
    smtp_server.stop()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED and message.context is not None
    smtp_server.start()
    later = timezone.now() + timedelta(hours=2)
    sweep(now=later)
    sweep(now=later)
    [received] = smtp_server.messages
    assert "Firefox, Linux" in received.get_body(("plain",)).get_content()


def test_a_context_the_worker_could_not_read_back_is_refused_in_the_request(account):
    with pytest.raises(TypeError, match="device"):
        queue_email_later(
            to=account.identifier,
            template="new_device",
            context={"device": object()},
            language="fr",
            purpose="accounts.new_device",
            account=account,
        )
    assert not Message.objects.exists()


def test_a_sign_in_from_a_new_browser_renders_no_mail(student):
    response = Client().post("/login/", {"identifier": student.identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert not [t.name for t in response.templates if t.name and t.name.startswith("notify/")]
    message = Message.objects.get(purpose="accounts.new_device")
    assert message.template == "new_device" and message.body_text is None
