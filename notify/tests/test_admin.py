import pytest

from audit.models import Event
from notify.models import Message

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notify/message/"


def test_an_administrator_sees_the_outbox_without_bodies(admin_client, new_device_mail):
    message = new_device_mail()
    html = admin_client.get(CHANGELIST).content.decode()
    assert "accounts.new_device" in html
    assert "camille.martin@univ-poitiers.fr" in html
    assert "mot-de-passe" not in html
    detail = admin_client.get(f"{CHANGELIST}{message.pk}/change/").content.decode()
    assert "accounts.new_device" in detail
    assert "mot-de-passe" not in detail


def test_the_outbox_is_not_edited_by_hand(admin_client, new_device_mail):
    message = new_device_mail()
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{message.pk}/delete/").status_code == 403


def test_resend_now_sends_an_abandoned_message(
    admin_client, admin_user, smtp_server, new_device_mail, django_capture_on_commit_callbacks
):
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(status=Message.FAILED, attempts=20)
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(CHANGELIST, {"action": "resend_now", "_selected_action": [message.pk]}, follow=True)
    assert "1 message remis en file." in page.content.decode()
    message.refresh_from_db()
    assert message.status == Message.SENT
    assert len(smtp_server.messages) == 1
    assert Event.objects.get(code="notify.message.resent").actor == admin_user


def test_resend_now_leaves_sent_messages_alone(admin_client, smtp_server, new_device_mail):
    message = new_device_mail()
    Message.objects.filter(pk=message.pk).update(status=Message.SENT)
    admin_client.post(CHANGELIST, {"action": "resend_now", "_selected_action": [message.pk]})
    assert not Event.objects.filter(code="notify.message.resent").exists()
    assert smtp_server.messages == []
