"""Credentials end together: a reset, « Déconnecter partout », a disabled account or an
administrator's revocation ends every session and every token, ticket and sign-on."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client

from accounts.actions import passwords
from accounts.models import Account, UserSession
from audit.models import Event
from institutions.models import Client as RelyingParty
from recovery import actions as recovery
from recovery.models import ResetCode
from sso.models import CasTicket
from sso.protocols.cas import rules as cas
from testing.oidc import PASSWORD, STUDENT, WEBMAIL, account, oidc_client

from .test_oidc_tokens import DOVECOT_SECRET, SECRET, introspect, refresh, tokens

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Vélo-Orange-Pluie-Quatre-2026"


class _Receiver(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):
        body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.received.append((body.get("logout_token") or body.get("logoutRequest"))[0])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def backchannel():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/backchannel", _Receiver.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(poitiers, monkeypatch):
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", SECRET)
    monkeypatch.setenv("GUICHET_OIDC_SECRET_DOVECOT", DOVECOT_SECRET)
    oidc_client("webmail", redirect_uris=[WEBMAIL], publics=["universite"])
    oidc_client("dovecot", redirect_uris=[])
    return account()


def _reset_by_code(account: Account) -> None:
    """The person resets their password from another browser with a support-printed code."""
    _row, code = recovery.issue(None, account, ResetCode.PRINTED, "", origin=ResetCode.SUPPORT)
    other = Client()
    assert other.post("/password/reset/code/", {"identifier": STUDENT, "code": code}).status_code == 302
    done = other.post("/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert done.status_code == 200, done.content[-400:]


def test_refresh_and_introspection_are_refused_right_after_a_reset(client, world):
    body = tokens(client)[0].json()
    assert introspect(client, body["access_token"]).json()["active"] is True
    _reset_by_code(world)
    assert introspect(client, body["access_token"]).json() == {"active": False}
    assert refresh(client, body["refresh_token"]).json()["error"] == "invalid_grant"
    assert client.get("/services/").status_code == 302  # the thief's browser is signed out too
    event = Event.objects.get(code="sso.credentials.revoked", subject=world)
    assert event.data["reason"] == "reset" and event.data["refreshes"] == 1


def test_sign_out_everywhere_ends_tokens_and_tells_the_client(
    client, world, backchannel, django_capture_on_commit_callbacks
):
    webmail = RelyingParty.objects.get(slug="webmail")  # the world fixture made it
    webmail.config["backchannel_logout_uri"] = backchannel[0]
    webmail.save()
    body = tokens(client)[0].json()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/compte/connexions/deconnecter-partout/").status_code == 302
    assert introspect(client, body["access_token"]).json() == {"active": False}
    assert refresh(client, body["refresh_token"]).status_code == 400
    assert len(backchannel[1]) == 1  # the relying party heard it back-channel
    assert Event.objects.filter(code="sso.logout.notified", subject=world).exists()


def test_a_password_change_from_every_other_browser_ends_their_tokens(world):
    thief, owner = Client(), Client()
    stolen = tokens(thief)[0].json()
    owner.post("/login/", {"identifier": STUDENT, "password": PASSWORD})
    passwords.set_password(None, world, NEW_PASSWORD)
    assert introspect(owner, stolen["access_token"]).json() == {"active": False}
    assert not UserSession.objects.filter(account=world, revoked_at__isnull=True).exists()


def test_disabling_an_account_in_the_admin_ends_everything(client, world, admin_client):
    body = tokens(client)[0].json()
    world.status = Account.DISABLED
    world.save()
    assert introspect(client, body["access_token"]).json() == {"active": False}
    assert refresh(client, body["refresh_token"]).status_code == 400
    assert Event.objects.get(code="sso.credentials.revoked", subject=world).data["reason"] == "disabled"


def test_the_administrators_revocation_ends_tokens_and_cas_tickets(client, world, admin_client, cas_client):
    body = tokens(client)[0].json()
    ticket = cas.issue(cas_client, "https://app.example.org/mail/", world, "sid", from_credentials=False)
    response = admin_client.post(
        "/admin/accounts/account/", {"action": "revoke_everything", "_selected_action": [world.pk]}
    )
    assert response.status_code == 302
    assert introspect(client, body["access_token"]).json() == {"active": False}
    assert CasTicket.objects.get().used_at is not None
    assert not cas.validate(ticket, "https://app.example.org/mail/").ok
    assert Event.objects.get(code="sso.credentials.revoked", subject=world).data["reason"] == "admin"


def test_one_browser_signed_out_keeps_the_others_tokens(world):
    laptop, phone = Client(), Client()
    on_laptop = tokens(laptop)[0].json()
    on_phone = tokens(phone)[0].json()
    laptop_session = UserSession.objects.order_by("created_at").first()
    assert phone.post(f"/compte/connexions/{laptop_session.pk}/deconnecter/").status_code == 302
    assert introspect(phone, on_laptop["access_token"]).json() == {"active": False}
    assert introspect(phone, on_phone["access_token"]).json()["active"] is True


def test_the_owner_signs_in_again_and_gets_new_tokens(client, world):
    tokens(client)
    _reset_by_code(world)
    fresh = Client()
    assert fresh.post("/login/", {"identifier": STUDENT, "password": NEW_PASSWORD})["Location"] == "/services/"


def test_a_reset_tells_cas_services_back_channel(client, world, backchannel, django_capture_on_commit_callbacks):
    service = backchannel[0].rsplit("/", 1)[0] + "/app/"
    cas_app = RelyingParty.objects.create(
        slug="app-cas-local",
        name="Application CAS",
        protocol="cas",
        config={"service_patterns": [r"^http://127\.0\.0\.1:\d+/"], "logout_url": backchannel[0]},
    )
    cas_app.publics.set([world.public])
    client.post("/login/", {"identifier": STUDENT, "password": PASSWORD})
    location = client.get("/cas/login", {"service": service})["Location"]
    ticket = parse_qs(location.split("?", 1)[1])["ticket"][0]
    assert "<cas:user>" in client.get("/cas/serviceValidate", {"ticket": ticket, "service": service}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _reset_by_code(world)
    assert len(backchannel[1]) == 1 and ticket in backchannel[1][0]  # the SessionIndex names the ticket
