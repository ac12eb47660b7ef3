"""The Brevo SMS backend, end to end through the outbox.

The real Brevo cannot be reached from here: tests have no network beyond loopback, and no
Brevo account. `brevo_server` (testing/notify.py) is a local HTTP server that follows
Brevo's documented API for transactional SMS (POST /v3/transactionalSMS/send, `api-key`
header, JSON body checked as Brevo documents it, 201 {"messageId": …}, errors as
{"code", "message"}). What these tests prove is that Guichet speaks that documented API
and handles each documented answer; not that Brevo's live service behaves as documented.
"""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Event
from notify import quotas
from notify.actions import deliver, queue_sms, sweep
from notify.channels import sms_brevo
from notify.models import Message

pytestmark = pytest.mark.django_db

NUMBER = "+33612345678"


@pytest.fixture
def queue(account):
    def queue(to=NUMBER):
        return queue_sms(
            to=to,
            template="new_device",
            context={"account": account, "reset_url": "https://guichet.example/mot-de-passe/"},
            language="fr",
            purpose="accounts.new_device",
            account=account,
        )

    return queue


def _codes(message):
    return list(Event.objects.filter(data__message_id=message.pk).order_by("pk").values_list("code", flat=True))


def test_a_queued_sms_reaches_brevo_and_is_marked_sent(brevo_server, queue):
    message = queue()
    assert deliver(message.pk) is True
    [request] = brevo_server.requests
    assert request["path"] == "/v3/transactionalSMS/send"
    assert request["headers"]["api-key"] == brevo_server.api_key
    assert request["headers"]["accept"] == "application/json"
    assert request["headers"]["content-type"] == "application/json"
    assert request["json"] == {
        "sender": "Guichet",
        "recipient": "33612345678",
        "content": "Guichet : nouvelle connexion à votre compte camille.martin@univ-poitiers.fr. "
        "Si ce n'était pas vous : https://guichet.example/mot-de-passe/",
        "type": "transactional",
        "tag": "accounts.new_device",
    }
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert message.attempts == 0
    sent = Event.objects.get(code="notify.message.sent", data__message_id=message.pk)
    assert sent.data["reference"] == "1511882900176221"  # the fake's first messageId


def test_text_outside_the_gsm_alphabet_is_sent_as_unicode(brevo_server):
    message = Message.objects.create(
        channel=Message.SMS, to=NUMBER, body_text="Reçu : ça marche", language="fr", purpose="notify.test"
    )
    assert deliver(message.pk) is True
    assert brevo_server.requests[0]["json"]["unicodeEnabled"] is True


def test_a_server_error_keeps_it_queued_and_the_sweep_sends_it_later(brevo_server, queue):
    brevo_server.fail_with(500)
    message = queue()
    now = timezone.now()
    assert deliver(message.pk, now=now) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.attempts == 1
    assert message.last_error == "BrevoUnavailable: Brevo answered 500: internal_error Internal server error"
    brevo_server.recover()
    assert sweep(now=now + timedelta(seconds=29)) == 0  # not due yet
    assert sweep(now=now + timedelta(seconds=31)) == 1
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert len(brevo_server.requests) == 2
    assert _codes(message) == ["notify.message.queued", "notify.message.failed", "notify.message.sent"]


def test_a_timeout_keeps_it_queued_and_the_sweep_sends_it_later(brevo_server, queue, monkeypatch):
    monkeypatch.setattr(sms_brevo, "TIMEOUT", (3, 0.2))  # the real read timeout is 10 s
    brevo_server.hang()
    message = queue()
    now = timezone.now()
    assert deliver(message.pk, now=now) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == "BrevoUnavailable: Brevo not reached: ReadTimeout"
    brevo_server.recover()
    assert sweep(now=now + timedelta(seconds=31)) == 1
    message.refresh_from_db()
    assert message.status == Message.SENT


def test_brevo_down_keeps_it_queued(brevo_server, queue):
    brevo_server.stop()
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == "BrevoUnavailable: Brevo not reached: ConnectionError"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, "unauthorized Key not found"),
        (402, "not_enough_credits Not enough credits"),
        (403, "permission_denied Unauthorized IP address"),
        (429, "too_many_requests Too many requests"),
        (503, "error"),
    ],
)
def test_what_an_operator_or_time_can_fix_is_retried(brevo_server, queue, status, error):
    brevo_server.fail_with(status)
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == f"BrevoUnavailable: Brevo answered {status}: {error}"
    assert _codes(message)[-1] == "notify.message.failed"


def test_an_invalid_number_is_abandoned_at_once(brevo_server, queue):
    message = queue(to="+3361")  # too short: Brevo refuses it with a 400
    now = timezone.now()
    assert deliver(message.pk, now=now) is False
    message.refresh_from_db()
    assert message.status == Message.FAILED
    assert message.attempts == 1
    assert message.last_error == "BrevoRejected: Brevo answered 400: invalid_parameter Invalid phone number"
    assert _codes(message) == ["notify.message.queued", "notify.message.abandoned"]
    assert sweep(now=now + timedelta(days=1)) == 0
    assert len(brevo_server.requests) == 1


def test_a_number_that_is_not_one_never_leaves(brevo_server, queue):
    message = queue(to="camille@example.org")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.FAILED
    assert brevo_server.requests == []


def test_a_bad_sender_setting_keeps_messages_queued(brevo_server, queue, settings):
    settings.GUICHET_SMS_SENDER = "Université de Poitiers"
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error.startswith("ChannelUnavailable: GUICHET_SMS_SENDER must be")
    assert brevo_server.requests == []


def test_without_a_key_nothing_is_sent(brevo_server, queue, settings):
    settings.GUICHET_BREVO_API_KEY = ""
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == (
        "ChannelUnavailable: no Brevo API key (GUICHET_BREVO_API_KEY or GUICHET_BREVO_API_KEY_FILE)"
    )
    assert brevo_server.requests == []


def test_the_key_can_come_from_a_file(brevo_server, queue, settings, tmp_path):
    key_file = tmp_path / "brevo_key"
    key_file.write_text(brevo_server.api_key + "\n")
    settings.GUICHET_BREVO_API_KEY = ""
    settings.GUICHET_BREVO_API_KEY_FILE = str(key_file)
    assert deliver(queue().pk) is True
    assert brevo_server.requests[0]["headers"]["api-key"] == brevo_server.api_key


def test_a_wrong_key_is_retried(brevo_server, queue, settings):
    settings.GUICHET_BREVO_API_KEY = "xkeysib-revoked"
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == "BrevoUnavailable: Brevo answered 401: unauthorized Key not found"


def test_the_key_never_reaches_logs_audit_nor_last_error(brevo_server, queue, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # urllib3's and requests' debug lines too
    monkeypatch.setattr(quotas, "PER_NUMBER", ())  # four SMS to one number in a row, on purpose
    key = brevo_server.api_key
    deliver(queue().pk)  # sent
    brevo_server.fail_with(500)
    deliver(queue().pk)  # retried
    # Even a provider that quotes the key back, with the number, gets neither repeated.
    brevo_server.fail_with(400, {"code": "invalid_parameter", "message": f"key {key} cannot send to 33612345678"})
    refused = queue()
    deliver(refused.pk)
    monkeypatch.setattr(sms_brevo, "TIMEOUT", (3, 0.2))
    brevo_server.hang()
    deliver(queue().pk)  # timed out
    refused.refresh_from_db()
    assert refused.last_error == "BrevoRejected: Brevo answered 400: invalid_parameter key [key] cannot send to …"
    assert len(brevo_server.requests) == 4
    logged = json.dumps(list(Event.objects.values_list("data", flat=True)))
    errors = " ".join(Message.objects.values_list("last_error", flat=True))
    for where in (caplog.text, logged, errors):
        assert key not in where
        assert "xkeysib" not in where
    assert "33612345678" not in caplog.text
    assert "Si ce n'était pas vous" not in caplog.text
