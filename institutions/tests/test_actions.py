"""The set-up's state changes are audited: loading the file and administrators' confirmations."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from audit.models import Event
from institutions import events
from institutions.actions import load_setup
from institutions.loader import SetupError
from institutions.models import Platform

SHIPPED = Path(settings.GUICHET_SETUP_FILE)

pytestmark = pytest.mark.django_db


def test_loading_records_what_the_file_created_then_that_a_reload_changed_nothing():
    load_setup(SHIPPED)
    first = Event.objects.get(code=events.SETUP_LOADED)
    assert first.data["created"]["platform"] == 3 and first.data["file"] == str(SHIPPED)
    assert first.data["deleted"] == {} and first.data["updated"] == {}
    load_setup(SHIPPED)
    second = Event.objects.filter(code=events.SETUP_LOADED).order_by("-pk").first()
    assert second is not None and second.data["created"] == second.data["updated"] == second.data["deleted"] == {}


def test_loading_records_what_left_the_file_and_what_changed(tmp_path):
    load_setup(SHIPPED)
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("recovery_paths:")
    first_path = text.index("  - slug:", start)
    second_path = text.index("  - slug:", first_path + 1)
    edited = tmp_path / "setup.yaml"
    edited.write_text(text[:first_path] + text[second_path:], encoding="utf-8")
    load_setup(edited)
    event = Event.objects.filter(code=events.SETUP_LOADED).order_by("-pk").first()
    assert event is not None
    assert event.data["deleted"] == {"recoverypath": 1}
    assert event.data["updated"] == {"recoverypath": 2}  # the others moved up one place


def test_a_refused_file_records_nothing(tmp_path):
    broken = tmp_path / "setup.yaml"
    broken.write_text("version: 2\n", encoding="utf-8")
    with pytest.raises(SetupError):
        load_setup(broken)
    assert not Event.objects.filter(code=events.SETUP_LOADED).exists()


def test_the_command_goes_through_the_audited_action(capsys):
    call_command("load_setup", str(SHIPPED))
    assert Event.objects.filter(code=events.SETUP_LOADED).count() == 1


def test_confirming_a_webmail_address_in_the_admin_is_audited(poitiers, admin_client, admin_user):
    zimbra = Platform.objects.get(slug="zimbra")
    admin_client.post("/admin/institutions/platform/", {"action": "confirm_url", "_selected_action": [zimbra.pk]})
    event = Event.objects.get(code=events.WEBMAIL_CONFIRMED)
    assert event.actor == admin_user and event.ip == "127.0.0.1"
    assert event.data == {"platform": "zimbra", "url": zimbra.webmail_url}
    # Confirming again changes nothing, and so records nothing.
    admin_client.post("/admin/institutions/platform/", {"action": "confirm_url", "_selected_action": [zimbra.pk]})
    assert Event.objects.filter(code=events.WEBMAIL_CONFIRMED).count() == 1


def test_confirming_mail_client_settings_in_the_admin_is_audited(poitiers, admin_client, admin_user):
    zimbra = Platform.objects.get(slug="zimbra")
    action = {"action": "confirm_mail_servers", "_selected_action": [zimbra.pk]}
    admin_client.post("/admin/institutions/platform/", action)
    event = Event.objects.get(code=events.MAIL_SERVERS_CONFIRMED)
    assert event.actor == admin_user and event.data == {"platform": "zimbra"}
