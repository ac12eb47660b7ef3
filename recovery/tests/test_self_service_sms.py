"""Self-service recovery by SMS, end to end: the CHU nurse at 7:50 on her phone.

The real SMS provider (Brevo) cannot be reached from here: these tests talk to the local
HTTP server of testing/notify.py, which follows Brevo's documented transactional SMS API.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notify.models import Message
from recovery.models import ResetCode

from .conftest import NEW_PASSWORD, ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


@pytest.fixture
def sms(brevo_server, django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    run.server = brevo_server
    return run


def _code(server, index=-1):
    return re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", server.requests[index]["json"]["content"]).group(1)


def test_a_code_by_sms_then_back_in_outlook(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="06 12 34 56 78")
    request = sms.server.requests[0]
    assert request["json"]["recipient"] == "33612345678"
    assert request["json"]["type"] == "transactional"
    reset = ResetCode.objects.get()
    assert reset.channel == "sms" and reset.expires_at - reset.created_at == timedelta(minutes=10)
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": _code(sms.server)}).status_code == 302
    sms(client.post, "/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert "changé" in sms.server.requests[-1]["json"]["content"]  # the mobile is told
    fresh = Client()
    assert fresh.post("/login/", {"identifier": NURSE, "password": NEW_PASSWORD})["Location"] == "/services/"


def test_the_number_may_be_typed_any_usual_way(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="+33 6 12 34 56 78")
    assert len(sms.server.requests) == 1


def test_an_sms_code_expires_after_ten_minutes(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    ResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/password/reset/code/", {"identifier": NURSE, "code": _code(sms.server)})
    assert response.status_code == 200 and "expiré" in response.content.decode()


def test_per_number_quota_one_a_minute(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    assert len(sms.server.requests) == 1
    assert Message.objects.filter(channel="sms").count() == 1


def test_an_sms_provider_outage_loses_nothing(client, nurse, sms):
    from notify.actions import sweep

    sms.server.fail_with(500)
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    assert Message.objects.get(channel="sms").status == "queued"
    sms.server.recover()
    sweep(now=timezone.now() + timedelta(minutes=5))
    assert Message.objects.get(channel="sms").status == "sent"
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": _code(sms.server)}).status_code == 302


def test_the_page_after_an_sms_request_asks_for_the_code(client, nurse, sms):
    page = sms(ask, client, NURSE, channel="sms", contact="0612345678").content.decode()
    assert "un code vient d'être envoyé par SMS" in page and 'name="code"' in page


def test_an_sms_code_is_single_use(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    code = _code(sms.server)
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 302
    assert Client().post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 200


def test_five_wrong_entries_kill_an_sms_code(client, nurse, sms):
    sms(ask, client, NURSE, channel="sms", contact="0612345678")
    code = _code(sms.server)
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
    for _ in range(5):
        client.post("/password/reset/code/", {"identifier": NURSE, "code": wrong})
    assert client.post("/password/reset/code/", {"identifier": NURSE, "code": code}).status_code == 200
    assert ResetCode.objects.get().end_reason == "killed"
