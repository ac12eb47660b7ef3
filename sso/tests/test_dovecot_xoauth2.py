"""IMAP with Guichet tokens: a real Dovecot (Debian's 2.3) asks Guichet's introspection end point
about the token a mail client presents with XOAUTH2 or OAUTHBEARER."""

import imaplib
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken

from institutions.loader import load
from testing import dovecot
from testing.oidc import STUDENT, WEBMAIL, account, browser_signed_in, oidc_client, pkce

DOVECOT_SECRET = "dovecot-introspection-secret"
NATIVE = "http://127.0.0.1:54321/"  # Thunderbird's loopback redirect, any port (RFC 8252)


@pytest.fixture(scope="module")
def imap_server(live_server):
    assert dovecot.version().startswith("2.3."), "docs/imap-oauth2.md describes Dovecot 2.3's settings"
    url = f"{live_server.url}/oidc/introspect/"
    with dovecot.running(url, "dovecot", DOVECOT_SECRET) as server:
        yield server


@pytest.fixture
def world(live_server, transactional_db, monkeypatch, imap_server):
    load(settings.GUICHET_SETUP_FILE)  # ships the "thunderbird" client
    monkeypatch.setenv("GUICHET_OIDC_SECRET_DOVECOT", DOVECOT_SECRET)
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", "webmail-secret")
    oidc_client("dovecot", name="Dovecot", redirect_uris=[])
    oidc_client("webmail", redirect_uris=[WEBMAIL])
    account()
    return live_server.url, imap_server


def token_for(base, client_id="thunderbird", redirect_uri=NATIVE, scope="openid email mail", secret=None) -> str:
    """What Thunderbird does: sign in in a browser, code + PKCE S256, then the token end point."""
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    location = browser_signed_in(base).get(f"{base}/oidc/authorize/?{urlencode(params)}", allow_redirects=False)
    code = parse_qs(urlsplit(location.headers["Location"]).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    auth = (client_id, secret) if secret else None
    if not secret:
        data["client_id"] = client_id
    response = requests.post(f"{base}/oidc/token/", data=data, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def xoauth2(server, token: str, user: str = STUDENT) -> imaplib.IMAP4:
    imap = imaplib.IMAP4(server.host, server.port, timeout=10)
    imap.authenticate("XOAUTH2", lambda _: f"user={user}\x01auth=Bearer {token}\x01\x01".encode())
    return imap


def refused(server, token: str, user: str = STUDENT) -> bool:
    try:
        xoauth2(server, token, user).logout()
    except imaplib.IMAP4.error as error:
        return "AUTHENTICATIONFAILED" in str(error)
    return False


def test_a_guichet_token_opens_the_mailbox_with_xoauth2(world):
    base, server = world
    imap = xoauth2(server, token_for(base))
    assert imap.state == "AUTH"
    assert imap.select("INBOX")[0] == "OK"
    imap.logout()


def test_oauthbearer_works_too(world):
    base, server = world
    token = token_for(base)
    imap = imaplib.IMAP4(server.host, server.port, timeout=10)
    gs2 = f"n,a={STUDENT},\x01host={server.host}\x01port={server.port}\x01auth=Bearer {token}\x01\x01"
    assert imap.authenticate("OAUTHBEARER", lambda _: gs2.encode())[0] == "OK"
    imap.logout()


def test_an_expired_token_is_refused(world):
    base, server = world
    token = token_for(base)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert refused(server, token)


def test_a_revoked_token_is_refused(world):
    base, server = world
    token = token_for(base)
    revoked = requests.post(f"{base}/oidc/revoke/", data={"token": token, "client_id": "thunderbird"}, timeout=10)
    assert revoked.status_code == 200
    assert refused(server, token)


def test_a_token_is_for_its_owner_and_for_mail_only(world):
    base, server = world
    account("autre@etu.univ-poitiers.fr")
    assert refused(server, token_for(base), user="autre@etu.univ-poitiers.fr")
    webmail_token = token_for(base, "webmail", WEBMAIL, scope="openid email", secret="webmail-secret")
    assert refused(server, webmail_token)  # no "mail" scope: a sign-in token does not open the mailbox
    assert "did not match" in server.log and "Token is not valid for scope 'mail'" in server.log
