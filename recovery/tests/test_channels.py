"""Recovery channels kept current: fresh sign-in, a code to the new channel, the old one told."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from audit.models import Event
from recovery.models import ChannelChange
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


@pytest.fixture
def signed_in(client, nurse):
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    client.post("/compte/confirmer/?next=/compte/contacts/", {"password": PASSWORD})
    return client


def _run(django_capture_on_commit_callbacks, fn, *args, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return fn(*args, **kwargs)


def test_changing_needs_a_fresh_password(client, nurse):
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    response = client.post("/compte/contacts/", {"channel": "email", "value": "nouvelle@example.org"})
    assert response["Location"].startswith("/compte/confirmer/")
    assert not ChannelChange.objects.exists()


def test_a_new_address_gets_a_code_and_the_old_one_is_told(
    signed_in, nurse, smtp_server, django_capture_on_commit_callbacks
):
    cb = django_capture_on_commit_callbacks
    assert (
        _run(cb, signed_in.post, "/compte/contacts/", {"channel": "email", "value": "Nouvelle@Example.org"})["Location"]
        == "/compte/contacts/confirmer/"
    )
    assert [m["To"] for m in smtp_server.messages] == ["nouvelle@example.org"]
    code = re.search(r"\b(\d{6})\b", smtp_server.messages[0]["Subject"]).group(1)
    assert _run(cb, signed_in.post, "/compte/contacts/confirmer/", {"code": code})["Location"] == "/compte/contacts/"
    nurse = Account.objects.get(pk=nurse.pk)
    assert nurse.secondary_email == "nouvelle@example.org" and nurse.has_verified_secondary_email
    assert smtp_server.messages[-1]["To"] == "claire.perso@example.org"  # the old address is told
    assert "changé" in smtp_server.messages[-1]["Subject"]
    assert Event.objects.filter(code="recovery.channel.changed", subject=nurse).exists()


def test_without_a_second_factor_the_new_channel_waits_a_day(signed_in, nurse, django_capture_on_commit_callbacks):
    from recovery.actions import channels

    signed_in.post("/compte/contacts/", {"channel": "email", "value": "nouvelle@example.org"})
    change = ChannelChange.objects.get()
    ChannelChange.objects.filter(pk=change.pk).update(code_digest=channels.digest("channel-code", "123456"))
    signed_in.post("/compte/contacts/confirmer/", {"code": "123456"})
    nurse = Account.objects.get(pk=nurse.pk)
    assert nurse.recovery_email() == ""
    assert nurse.recovery_email(timezone.now() + timedelta(hours=24, seconds=1)) == "nouvelle@example.org"


def test_an_institution_address_is_refused_as_secondary(signed_in):
    response = signed_in.post("/compte/contacts/", {"channel": "email", "value": "claire@chu-poitiers.fr"})
    assert "ne peut pas servir de secours" in response.content.decode()
    assert not ChannelChange.objects.exists()


def test_a_mobile_is_normalised_and_checked(signed_in):
    response = signed_in.post("/compte/contacts/", {"channel": "sms", "value": "12"})
    assert "pas un numéro de mobile valide" in response.content.decode()
    signed_in.post("/compte/contacts/", {"channel": "sms", "value": "06 11 22 33 44"})
    assert ChannelChange.objects.get().new_value == "+33611223344"


def test_five_wrong_codes_end_the_change(signed_in, nurse):
    signed_in.post("/compte/contacts/", {"channel": "email", "value": "nouvelle@example.org"})
    for _ in range(5):
        signed_in.post("/compte/contacts/confirmer/", {"code": "000000"})
    assert signed_in.get("/compte/contacts/confirmer/")["Location"] == "/compte/contacts/"
    assert Account.objects.get(pk=nurse.pk).secondary_email == "claire.perso@example.org"


def test_channels_are_reconfirmed_every_180_days(client, nurse):
    Account.objects.filter(pk=nurse.pk).update(
        secondary_email_verified_at=timezone.now() - timedelta(days=181),
        mobile_verified_at=timezone.now() - timedelta(days=181),
    )
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    assert "depuis plus de six mois" in client.get("/services/").content.decode()
    client.post("/compte/contacts/", {"action": "reconfirm"})
    assert "depuis plus de six mois" not in client.get("/services/").content.decode()


def test_sign_in_nags_when_no_channel_is_verified(client, nurse):
    Account.objects.filter(pk=nurse.pk).update(secondary_email_verified_at=None, mobile_verified_at=None)
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    assert "Aucune adresse de secours ni aucun mobile vérifié" in client.get("/services/").content.decode()
