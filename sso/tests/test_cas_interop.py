"""Interop: python-cas, a CAS client library nobody here wrote, validates Guichet's tickets
over real HTTP (CAS 2 and CAS 3 responses); single logout reaches the service back-channel."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient
from django.conf import settings

from accounts.models import Account
from institutions.loader import load
from institutions.models import Client, Public
from testing.personas import PASSWORD

SERVICE = "https://app.example.org/mail/"


@pytest.fixture
def world(live_server, transactional_db):
    load(settings.GUICHET_SETUP_FILE)
    public = Public.objects.get(slug="academie")
    Account.objects.create_user(
        "enseignant@ac-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        display_name="Paul Lefèvre",
    )
    client = Client.objects.create(
        slug="app-cas",
        name="Application CAS",
        protocol="cas",
        config={"service_patterns": [r"^https://app\.example\.org/"], "attributes": ["mail", "displayName"]},
    )
    return live_server.url, client


def _browser_signed_in(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        f"{base}/login/",
        data={"identifier": "enseignant@ac-poitiers.fr", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[-500:]
    return browser


def _ticket(browser, base):
    response = browser.get(f"{base}/cas/login", params={"service": SERVICE}, allow_redirects=False)
    return parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]


@pytest.mark.parametrize("version", [2, 3])
def test_python_cas_validates_a_ticket(world, version):
    base, _client = world
    browser = _browser_signed_in(base)
    cas = CASClient(version=version, server_url=f"{base}/cas/", service_url=SERVICE)
    user, attributes, _pgtiou = cas.verify_ticket(_ticket(browser, base))
    assert user == "enseignant@ac-poitiers.fr"
    if version == 3:
        assert attributes["mail"] == "enseignant@ac-poitiers.fr"
        assert attributes["displayName"] == "Paul Lefèvre"


def test_python_cas_refuses_a_replayed_ticket(world):
    base, _client = world
    browser = _browser_signed_in(base)
    cas = CASClient(version=3, server_url=f"{base}/cas/", service_url=SERVICE)
    ticket = _ticket(browser, base)
    assert cas.verify_ticket(ticket)[0] == "enseignant@ac-poitiers.fr"
    assert cas.verify_ticket(ticket)[0] is None


def test_python_cas_refuses_a_ticket_for_another_service(world):
    base, _client = world
    browser = _browser_signed_in(base)
    other = CASClient(version=3, server_url=f"{base}/cas/", service_url="https://app.example.org/other/")
    assert other.verify_ticket(_ticket(browser, base))[0] is None


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Receiver.received.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_single_logout_posts_a_logout_request_to_the_service(world):
    base, client = world
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client.config["logout_url"] = f"http://127.0.0.1:{server.server_port}/slo"
        client.save()
        browser = _browser_signed_in(base)
        ticket = _ticket(browser, base)
        assert CASClient(version=3, server_url=f"{base}/cas/", service_url=SERVICE).verify_ticket(ticket)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(f"{base}/services/").text).group(1)
        browser.post(f"{base}/logout/", data={"csrfmiddlewaretoken": token}, headers={"Referer": f"{base}/services/"})
        assert len(_Receiver.received) == 1
        request = _Receiver.received[0]["logoutRequest"][0]
        assert f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex>" in request
        # python-cas reads the same message the way a service would.
        assert CASClient(version=3, server_url=f"{base}/cas/", service_url=SERVICE).get_saml_slos(request)
    finally:
        server.shutdown()
