import pytest

from audit.actions import record
from audit.models import Event
from notify.events import MESSAGE_SENT

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/event/"


def test_an_administrator_reads_the_log(admin_client, account):
    record("accounts.signin.success", subject=account, ip="192.0.2.7")
    page = admin_client.get(CHANGELIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "accounts.signin.success" in html
    assert "camille.martin@univ-poitiers.fr" in html
    assert "192.0.2.7" in html


def test_the_log_can_be_searched_by_identifier(admin_client):
    record("accounts.signin.unknown", subject_label="nobody@univ-poitiers.fr")
    record("accounts.signin.unknown", subject_label="someone@univ-poitiers.fr")
    html = admin_client.get(CHANGELIST, {"q": "nobody"}).content.decode()
    assert "nobody@univ-poitiers.fr" in html
    assert "someone@univ-poitiers.fr" not in html


def test_nobody_adds_changes_or_deletes_an_event(admin_client):
    event = record("accounts.signin.unknown", subject_label="nobody@univ-poitiers.fr")
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{event.pk}/delete/").status_code == 403
    detail = admin_client.get(f"{CHANGELIST}{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="subject_label"' not in detail.content  # shown, not editable
    admin_client.post(f"{CHANGELIST}{event.pk}/change/", {"subject_label": "rewritten", "code": "x.y"})
    admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert event.subject_label == "nobody@univ-poitiers.fr"
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_person_without_staff_rights_sees_nothing(client, account):
    client.force_login(account)
    assert client.get(CHANGELIST).status_code == 302


def test_each_event_is_shown_in_its_apps_words(admin_client):
    record(MESSAGE_SENT, message_id=1, channel="email", purpose="accounts.new_device")
    html = admin_client.get(CHANGELIST).content.decode()
    assert "Message envoyé" in html and MESSAGE_SENT in html
