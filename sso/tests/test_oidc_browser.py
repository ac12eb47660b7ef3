"""The OpenID Connect pages in Debian's Chromium, under the site's strict CSP: a signed-in person
lands on the client; the consent form may send them there (form-action); the consent, error and
logout pages pass axe-core."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from testing.browser import axe_check
from testing.oidc import PASSWORD, STUDENT, account, oidc_client, pkce

pytestmark = pytest.mark.browser


class _Client(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"client")

    def log_message(self, *args):
        pass


@pytest.fixture
def native_client():
    """The client's loopback redirect end point (RFC 8252: registered without port, any port goes)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Client)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/callback"
    server.shutdown()
    server.server_close()


@pytest.fixture
def clients(site, native_client):
    account()
    oidc_client("webmail", name="Webmail", publics=["universite"], redirect_uris=["http://127.0.0.1/callback"])
    oidc_client("agenda", name="Agenda partagé", third_party=True, redirect_uris=["http://127.0.0.1/callback"])
    return site, native_client


def authorize_path(client_id: str, redirect_uri: str) -> str:
    _verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"/oidc/authorize/?{urlencode(params)}"


def sign_in(page):
    page.get_by_label("Votre adresse ou identifiant").fill(STUDENT)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


@pytest.fixture
def axe_checked(_axe_pages):
    """axe-core on a path, in the kept axe page, with this page's cookies (signed in)."""

    def check(page, path, status=200):
        checker = _axe_pages("desktop")
        checker.context.clear_cookies()
        checker.context.add_cookies(page.context.cookies())
        try:
            assert checker.goto(path).status == status
            axe_check(checker)
        finally:
            checker.context.clear_cookies()
            checker.goto("about:blank")

    return check


def test_the_client_sends_people_to_sign_in_and_gets_them_back_with_a_code(open_page, clients):
    _site, callback = clients
    page = open_page("desktop")
    page.goto(authorize_path("webmail", callback))  # the client starts it: not signed in yet
    sign_in(page)
    # Through the sign-in form and on to the client, despite the form's CSP (form-action).
    expect(page).to_have_url(re.compile(re.escape(callback) + r"\?code=[^&]+&state=xyz"))


def test_a_third_party_client_asks_first_and_the_pages_pass_axe(open_page, clients, axe_checked, screenshot):
    site, callback = clients
    page = open_page("desktop")
    page.goto("/login/")
    sign_in(page)
    page.goto(authorize_path("agenda", callback))
    expect(page.get_by_role("heading", level=1)).to_have_text("Autoriser Agenda partagé ?")
    expect(page.get_by_text("Votre adresse de messagerie")).to_be_visible()
    screenshot(page, "consent")
    axe_checked(page, page.url.removeprefix(site))
    page.get_by_role("button", name="Autoriser").click()  # the form may send people to the client
    expect(page).to_have_url(re.compile(re.escape(callback) + r"\?code="))

    axe_checked(page, authorize_path("agenda", "https://evil.example.net/callback"), status=400)
    # No id_token_hint: Guichet asks before ending the session.
    page.goto("/oidc/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se déconnecter")
    axe_checked(page, "/oidc/logout/")
    page.locator("main").get_by_role("button", name="Se déconnecter", exact=True).click()
    page.goto("/services/")
    expect(page).to_have_url(re.compile(r"/login/"))
