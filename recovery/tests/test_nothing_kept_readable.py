"""Nothing that opens an account is kept readable: not in the outbox once delivered (nor in
clear before), not in the admin, not in any log line."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client

from accounts.models import Account
from guichet.logmask import AccessLogger, MaskingFilter, mask
from institutions.models import Institution
from notify.models import Message
from recovery.actions import requests as reset_requests

from .conftest import ask

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"


@pytest.fixture
def console():
    """What the configured log handler (the one production writes through) prints."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, MaskingFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    # At production's level (GUICHET_LOG_LEVEL=INFO). The test's own SMTP server (aiosmtpd)
    # logs whole messages at DEBUG; it is the recipient's side, not Guichet.
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    yield stream
    logging.getLogger().setLevel(level)
    handler.setStream(previous)


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, body_text, body_html FROM notify_message")
        return repr(cursor.fetchall())


def _link_token(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"/password/reset/lien/([^/\s]+)/", body).group(1)


def test_no_code_or_link_in_any_outbox_row_before_or_after_delivery(
    client, nurse, smtp_server, django_capture_on_commit_callbacks
):
    ask(client, NURSE)  # the request is a row; the worker has not run yet
    with django_capture_on_commit_callbacks(execute=True):
        assert reset_requests.process_due() == 1
    token = _link_token(smtp_server.messages[0])  # an e-mail carries the link only
    message = Message.objects.get(purpose="recovery.code")
    assert message.status == Message.SENT
    assert (message.subject, message.body_text, message.body_html) == (None, None, None)
    assert token not in _raw_rows()


def test_a_queued_message_is_encrypted_at_rest(nurse, settings):
    settings.GUICHET_SMS_BACKEND = ""  # nothing delivers it
    from recovery import actions

    _reset, code = actions.issue(None, nurse, "sms", "+33612345678", origin="self")
    message = Message.objects.get(purpose="recovery.code")
    assert code in message.body_text  # the worker can still render what it sends
    raw = _raw_rows()
    assert code not in raw and "gAAAA" in raw  # a Fernet token, not the text


def test_a_staff_user_who_may_view_messages_cannot_read_a_code(nurse, settings):
    settings.GUICHET_SMS_BACKEND = ""
    from recovery import actions

    _reset, code = actions.issue(None, nurse, "sms", "+33612345678", origin="self")
    viewer = Account.objects.create_user(
        "lecteur@univ-poitiers.fr",
        "a long viewer passphrase",
        institution=Institution.objects.get(slug="univ-poitiers"),
        is_staff=True,
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    browser = Client()
    browser.force_login(viewer)
    listing = browser.get("/admin/notify/message/")
    detail = browser.get(f"/admin/notify/message/{Message.objects.get(purpose='recovery.code').pk}/change/")
    assert listing.status_code == detail.status_code == 200
    assert "recovery.code" in detail.content.decode()  # metadata is there
    for page in (listing, detail):
        assert code not in page.content.decode()


def test_no_log_line_holds_a_code_a_link_token_or_a_ticket(
    client, nurse, smtp_server, console, django_capture_on_commit_callbacks, settings
):
    settings.GUICHET_SMS_BACKEND = ""  # the SMS code stays queued: only its handling is logged
    from recovery import actions

    _reset, code = actions.issue(None, nurse, "sms", "+33612345678", origin="support")
    Client().post("/password/reset/code/", {"identifier": NURSE, "code": code})
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, NURSE)
    token = _link_token(smtp_server.messages[0])
    client.get(f"/password/reset/lien/{token}/")
    client.post(f"/password/reset/lien/{token}/")
    client.get(f"/password/reset/lien/{token}x/")
    client.get("/cas/serviceValidate", {"ticket": "ST-abcdefghijklmnop", "service": "https://x.example/"})
    logging.getLogger("django.request").error("Not Found: /password/reset/lien/%s/", token)
    lines = console.getvalue()
    assert lines and "lien/…/" in lines
    assert code not in lines and token not in lines and "abcdefghijklmnop" not in lines


def test_the_access_log_masks_tokens_tickets_and_reset_links():
    logger = AccessLogger.__new__(AccessLogger)
    logger.cfg = type("Cfg", (), {"env": {}})()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/cas/serviceValidate?service=https%3A%2F%2Fapp%2F&ticket=ST-SecretTicket123456",
        "PATH_INFO": "/password/reset/lien/SECRETTOKEN123/",
        "QUERY_STRING": "code=123456&state=ok",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://guichet.example/password/reset/lien/SECRETTOKEN123/",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = type("Resp", (), {"status": "200 OK", "sent": 10, "headers": []})()
    atoms = logger.atoms(response, [], environ, timedelta(milliseconds=5))
    text = repr(atoms)
    assert "SecretTicket" not in text and "SECRETTOKEN" not in text and "123456" not in text
    assert "state=ok" in atoms["q"] and "service=https" in atoms["r"]


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("POST /oidc/token/ refresh_token=abcDEF123&grant_type=refresh_token", "abcDEF123"),
        ("GET /oidc/logout/?id_token_hint=eyJhbGciOi.xyz", "eyJhbGciOi"),
        ("Authorization: Bearer eyJ0eXAi.abc.def", "eyJ0eXAi"),
        ("GET /en/password/reset/lien/Zx_9-q/ HTTP/1.1", "Zx_9-q"),
        ("logoutRequest SessionIndex ST-0123456789abcdef", "0123456789abcdef"),
        ("GET /service/preauth?account=a&preauth=deadbeef", "deadbeef"),
    ],
)
def test_mask_removes_every_kind_of_secret(line, secret):
    assert secret not in mask(line)
