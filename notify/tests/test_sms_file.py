"""The demo's SMS backend (`file`, alias `console`) and the choice of backend."""

import logging
import re
import stat

import pytest

from audit.models import Event
from notify.actions import deliver, queue_sms
from notify.models import Message

pytestmark = pytest.mark.django_db

TEXT = (
    "Guichet : nouvelle connexion à votre compte camille.martin@univ-poitiers.fr. "
    "Si ce n'était pas vous : https://guichet.example/mot-de-passe/"
)


@pytest.fixture
def sms_folder(settings, tmp_path):
    settings.GUICHET_SMS_BACKEND = "file"
    settings.GUICHET_SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


@pytest.fixture
def queue(account):
    def queue():
        return queue_sms(
            to="+33612345678",
            template="new_device",
            context={"account": account, "reset_url": "https://guichet.example/mot-de-passe/"},
            language="fr",
            purpose="accounts.new_device",
            account=account,
        )

    return queue


def test_the_file_backend_writes_the_sms_under_var_sms(sms_folder, queue):
    message = queue()
    assert deliver(message.pk) is True
    [written] = sms_folder.iterdir()
    assert re.fullmatch(rf"\d{{8}}-\d{{6}}-{message.pk}\.txt", written.name)
    content = written.read_text()
    assert content.startswith("To: +33612345678\nPurpose: accounts.new_device\nLanguage: fr\n")
    assert content.endswith(f"\n\n{TEXT}\n")
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert Event.objects.get(code="notify.message.sent").data["reference"] == written.name


def test_only_its_owner_may_read_it(sms_folder, queue):
    deliver(queue().pk)
    [written] = sms_folder.iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(sms_folder.stat().st_mode) == 0o700


def test_console_is_the_file_backend_and_logs_no_text(sms_folder, queue, settings, caplog):
    settings.GUICHET_SMS_BACKEND = "console"
    caplog.set_level(logging.DEBUG)
    assert deliver(queue().pk) is True
    assert len(list(sms_folder.iterdir())) == 1
    assert "nouvelle connexion" not in caplog.text
    assert "mot-de-passe" not in caplog.text


def test_an_unknown_backend_keeps_sms_queued(settings, queue):
    settings.GUICHET_SMS_BACKEND = "brevoo"
    message = queue()
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.QUEUED
    assert message.last_error == "ChannelUnavailable: unknown SMS backend 'brevoo'"
