import pytest

from notify.actions import deliver, queue_sms
from notify.models import Message

pytestmark = pytest.mark.django_db

handed_over = []


def collect(message):
    """A stand-in provider: none exists yet, this is the shape one will have."""
    handed_over.append(message.body_text)


def _queue(account):
    return queue_sms(
        to="+33612345678",
        template="new_device",
        context={"account": account, "reset_url": "https://guichet.example/mot-de-passe/"},
        language="fr",
        purpose="accounts.new_device",
        account=account,
    )


def test_without_a_provider_an_sms_waits_in_the_outbox(account):
    message = _queue(account)
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == "ChannelUnavailable: no SMS provider configured"


def test_a_configured_provider_gets_the_text(account, settings):
    settings.GUICHET_SMS_BACKEND = "notify.tests.test_sms.collect"
    handed_over.clear()
    assert deliver(_queue(account).pk) is True
    assert handed_over == [
        "Guichet : nouvelle connexion à votre compte camille.martin@univ-poitiers.fr. "
        "Si ce n'était pas vous : https://guichet.example/mot-de-passe/"
    ]
