"""SMS costs bounded on every path: a flood sends 0 SMS beyond the quotas (per number, per
account, per network, the day's budget with its share kept for reset codes)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from audit.models import Event
from notify import quotas
from notify.actions import queue_sms
from notify.models import Message
from recovery.actions import requests as reset_requests
from testing.personas import PASSWORD

from .conftest import ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


def _sms(**filters) -> int:
    return Message.objects.filter(channel=Message.SMS, **filters).count()


def test_adding_recovery_numbers_in_a_loop_sends_at_most_the_accounts_quota(client, nurse):
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    client.post("/compte/confirmer/?next=/compte/contacts/", {"password": PASSWORD})
    answers = [
        client.post("/compte/contacts/", {"channel": "sms", "value": f"+3361234{n:04d}"}).status_code for n in range(40)
    ]
    hourly = dict(quotas.PER_ACCOUNT)[timedelta(hours=1)]
    assert _sms(purpose="recovery.channel_code") == hourly
    assert answers.count(302) == hourly and answers.count(200) == 40 - hourly  # then a clear message
    page = client.post("/compte/contacts/", {"channel": "sms", "value": "+33612349999"}).content.decode()
    assert "Trop de SMS" in page
    assert Event.objects.filter(code="notify.sms.refused").count() == 41 - hourly


def test_one_number_flooded_with_reset_requests_from_many_addresses(client, nurse):
    for n in range(30):
        ask(client, NURSE, channel="sms", contact="06 12 34 56 78", ip=f"198.51.{n}.7")
    reset_requests.process_due()
    assert _sms(to="+33612345678") == 1  # one a minute to one number


def test_one_network_asking_for_many_people_is_bounded(poitiers, nurse):
    people = [
        Account.objects.create_user(
            f"agent{n}@chu-poitiers.fr",
            institution=nurse.institution,
            mobile=f"+336000{n:05d}",
            mobile_verified_at=timezone.now() - timedelta(days=2),
        )
        for n in range(30)
    ]
    for n, person in enumerate(people):
        queue_sms(
            to=str(person.mobile),
            template="reset_code",
            context={"code": "x", "minutes": 10, "link": ""},
            language="fr",
            purpose="recovery.code",
            account=person,
            ip=f"2001:db8:1:2::{n:x}",  # one IPv6 /64, a new address each time
        )
    limit = dict(quotas.PER_NETWORK)[timedelta(minutes=10)]
    assert _sms() == limit
    assert Message.objects.filter(network="2001:db8:1:2::/64").count() == limit


def test_sign_up_noise_cannot_starve_resets(nurse, settings):
    settings.GUICHET_SMS_DAILY_BUDGET = 10
    settings.GUICHET_ADMIN_EMAILS = ["ops@example.org"]
    for n in range(15):
        number = f"+336111{n:05d}"
        queue_sms(
            to=number,
            template="channel_code",
            context={"code": "x", "minutes": 15},
            language="fr",
            purpose="recovery.channel_code",
        )
    assert _sms() == 7  # 70 %: the last 30 % of the day is for reset codes
    for n in range(15):
        queue_sms(
            to=f"+336222{n:05d}",
            template="reset_code",
            context={"code": "x", "minutes": 10, "link": ""},
            language="fr",
            purpose="recovery.code",
        )
    assert _sms() == 10  # and not one beyond the budget
    assert Message.objects.filter(purpose=quotas.ALERT_PURPOSE, to="ops@example.org").count() == 1  # at 80 %


def test_the_owner_still_gets_a_reset_code_when_others_flood_adding_numbers(client, nurse, settings):
    settings.GUICHET_SMS_DAILY_BUDGET = 10
    for n in range(20):
        queue_sms(
            to=f"+336333{n:05d}",
            template="channel_code",
            context={"code": "x", "minutes": 15},
            language="fr",
            purpose="recovery.channel_code",
        )
    ask(client, NURSE, channel="sms", contact="06 12 34 56 78")
    reset_requests.process_due()
    assert _sms(purpose="recovery.code", to="+33612345678") == 1
