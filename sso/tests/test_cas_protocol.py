"""CAS 3.0 beyond the basics: CAS 1.0 validation, the authentication attributes, the JSON
format, credentials posted to /cas/login, and back-channel logout that must be answered 2xx."""

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.actions.sessions import LOGIN_AT
from audit.models import Event
from sso.models import CasTicket
from testing.personas import PASSWORD

from .conftest import SERVICE, sign_in

pytestmark = pytest.mark.django_db


def _ticket(response):
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]


def _sso_ticket(client):
    return _ticket(client.get("/cas/login", {"service": SERVICE}))


def test_cas1_validate_answers_yes_and_the_user_then_no(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    ticket = _sso_ticket(client)
    first = client.get("/cas/validate", {"ticket": ticket, "service": SERVICE})
    assert first.content == b"yes\nenseignant@ac-poitiers.fr\n"
    assert client.get("/cas/validate", {"ticket": ticket, "service": SERVICE}).content == b"no\n\n"
    assert client.get("/cas/validate").content == b"no\n\n"


def test_a_single_sign_on_ticket_is_not_from_a_new_login(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    body = client.get("/cas/p3/serviceValidate", {"ticket": _sso_ticket(client), "service": SERVICE}).content
    body = body.decode()
    assert "<cas:isFromNewLogin>false</cas:isFromNewLogin>" in body
    assert "<cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>" in body
    login_at = datetime.fromtimestamp(client.session[LOGIN_AT], tz=UTC).isoformat()
    assert f"<cas:authenticationDate>{login_at}</cas:authenticationDate>" in body


def test_a_ticket_right_after_typing_the_password_is_from_a_new_login(client, teacher, cas_client):
    to_login = client.get("/cas/login", {"service": SERVICE})
    next_url = parse_qs(urlsplit(to_login["Location"]).query)["next"][0]
    client.post("/login/", {"identifier": "enseignant@ac-poitiers.fr", "password": PASSWORD, "next": next_url})
    ticket = _ticket(client.get(next_url))
    body = client.get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE}).content.decode()
    assert "<cas:isFromNewLogin>true</cas:isFromNewLogin>" in body
    # The next application of the same session is single sign-on.
    again = client.get("/cas/p3/serviceValidate", {"ticket": _sso_ticket(client), "service": SERVICE})
    assert "<cas:isFromNewLogin>false</cas:isFromNewLogin>" in again.content.decode()


def test_json_format_on_request(client, teacher, cas_client):
    sign_in(client, "enseignant@ac-poitiers.fr")
    params = {"ticket": _sso_ticket(client), "service": SERVICE, "format": "JSON"}
    answer = json.loads(client.get("/cas/p3/serviceValidate", params).content)["serviceResponse"]
    assert answer["authenticationSuccess"]["user"] == "enseignant@ac-poitiers.fr"
    assert answer["authenticationSuccess"]["attributes"]["mail"] == ["enseignant@ac-poitiers.fr"]
    failed = json.loads(client.get("/cas/serviceValidate", params).content)["serviceResponse"]
    assert failed["authenticationFailure"]["code"] == "INVALID_TICKET"


def test_credentials_posted_to_login_give_a_new_login_ticket(client, teacher, cas_client):
    form = {"username": "enseignant@ac-poitiers.fr", "password": PASSWORD, "service": SERVICE}
    response = client.post("/cas/login", form)
    assert response.status_code == 200  # the page that moves on to the application
    next_url = "/cas/login?" + urlsplit(response.context["next_url"]).query
    ticket = _ticket(client.get(next_url))
    body = client.get("/cas/p3/serviceValidate", {"ticket": ticket, "service": SERVICE}).content.decode()
    assert "<cas:isFromNewLogin>true</cas:isFromNewLogin>" in body


def test_wrong_credentials_posted_to_login_give_nothing_and_are_throttled(client, teacher, cas_client):
    form = {"username": "enseignant@ac-poitiers.fr", "service": SERVICE}
    # Distinct wrong passwords: the sign-in does not count a repeated typo twice.
    statuses = [client.post("/cas/login", {**form, "password": f"wrong-password-{n}"}).status_code for n in range(6)]
    assert statuses[0] == 200 and statuses[-1] == 429  # the sign-in's own pause
    assert not CasTicket.objects.exists()
    right = client.post("/cas/login", {**form, "password": PASSWORD})
    assert right.status_code == 429  # paused, whatever the door


def test_credentials_posted_without_the_form_token_are_refused(teacher, cas_client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    form = {"username": "enseignant@ac-poitiers.fr", "password": PASSWORD, "service": SERVICE}
    assert browser.post("/cas/login", form).status_code == 403


def test_credentials_posted_for_an_unknown_service_are_refused(client, teacher, cas_client):
    form = {"username": "enseignant@ac-poitiers.fr", "password": PASSWORD, "service": "https://evil.example/"}
    assert client.post("/cas/login", form).status_code == 400


class _Answering(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "counted"), [(200, True), (204, True), (302, False), (500, False)])
def test_back_channel_logout_counts_only_a_2xx_answer(client, teacher, cas_client, status, counted):
    handler = type("Handler", (_Answering,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cas_client.config["logout_url"] = f"http://127.0.0.1:{server.server_port}/slo"
        cas_client.save()
        sign_in(client, "enseignant@ac-poitiers.fr")
        client.get("/cas/serviceValidate", {"ticket": _sso_ticket(client), "service": SERVICE})
        client.post("/logout/")
        assert Event.objects.filter(code="sso.logout.notified").exists() is counted
        assert Event.objects.filter(code="sso.logout.notify_failed").exists() is not counted
    finally:
        server.shutdown()
        server.server_close()
