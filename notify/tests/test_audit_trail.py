import json

import pytest

from audit.models import Event
from notify.actions import deliver

pytestmark = pytest.mark.django_db


def _codes(message):
    return list(Event.objects.filter(data__message_id=message.pk).order_by("pk").values_list("code", flat=True))


def test_queueing_and_sending_are_logged(smtp_server, new_device_mail, account):
    message = new_device_mail()
    deliver(message.pk)
    assert _codes(message) == ["notify.message.queued", "notify.message.sent"]
    queued = Event.objects.get(code="notify.message.queued")
    assert queued.subject == account
    assert queued.data == {"message_id": message.pk, "channel": "email", "purpose": "accounts.new_device"}


def test_a_failed_attempt_is_logged_with_its_cause(smtp_server, new_device_mail):
    smtp_server.stop()
    message = new_device_mail()
    deliver(message.pk)
    assert _codes(message) == ["notify.message.queued", "notify.message.failed"]
    failed = Event.objects.get(code="notify.message.failed")
    assert failed.data["attempts"] == 1
    assert failed.data["error"] == "ConnectionRefusedError"


def test_the_log_never_holds_the_body_nor_the_address(smtp_server, new_device_mail):
    message = new_device_mail()
    deliver(message.pk)
    smtp_server.stop()
    deliver(new_device_mail().pk)
    logged = json.dumps(list(Event.objects.values_list("data", flat=True)))
    for secret_bearing in ("mot-de-passe", "compte/connexions", "Camille", "Firefox", "192.168.1.x"):
        assert secret_bearing not in logged
    assert message.to not in logged
