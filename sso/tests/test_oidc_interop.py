"""Interop over real HTTP with clients nobody here wrote: authlib's OAuth2Session for the relying
party, joserfc to check signatures against the published JWKS. Discovery, code + PKCE S256,
ID token, userinfo, refresh with rotation, RP-initiated logout with back-channel logout."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from institutions.loader import load
from testing.oidc import STUDENT, WEBMAIL, account, basic, browser_signed_in, oidc_client

SECRET = "webmail-interop-secret"
GOODBYE = "https://webmail.example.org/au-revoir"


class _Receiver(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.append(parse_qs(body)["logout_token"][0])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def backchannel():
    """A relying party's back-channel logout end point, on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/backchannel", _Receiver.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(live_server, transactional_db, monkeypatch, backchannel):
    load(settings.GUICHET_SETUP_FILE)
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", SECRET)
    oidc_client(
        "webmail",
        redirect_uris=[WEBMAIL],
        post_logout_redirect_uris=[GOODBYE],
        backchannel_logout_uri=backchannel[0],
        publics=["universite"],
    )
    account()
    meta = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    return live_server.url, meta, backchannel[1]


def _verify(token: str, meta: dict, **expected) -> dict:
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    rules = {"iss": {"essential": True, "value": meta["issuer"]}, "aud": {"essential": True, "value": "webmail"}}
    rules.update({name: {"essential": True, "value": value} for name, value in expected.items()})
    jwt.JWTClaimsRegistry(**rules).validate(decoded.claims)
    return {"header": decoded.header, **decoded.claims}


def test_authlib_signs_in_refreshes_and_logs_out(world):
    base, meta, logout_tokens = world
    assert meta["issuer"] == base and meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["end_session_endpoint"] and meta["backchannel_logout_supported"] is True
    browser = browser_signed_in(base)

    rp = OAuth2Session(
        "webmail", SECRET, scope="openid email profile guichet", redirect_uri=WEBMAIL, code_challenge_method="S256"
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    location = browser.get(url, allow_redirects=False, timeout=10).headers["Location"]
    assert location.startswith(WEBMAIL + "?")
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, state=state, code_verifier=verifier)

    id_token = _verify(token["id_token"], meta, nonce=nonce)
    assert id_token["header"]["kid"] and id_token["email"] == STUDENT and id_token["sid"]
    info = rp.get(meta["userinfo_endpoint"], timeout=10).json()
    assert info["sub"] == id_token["sub"] and info["name"] == "Jeanne Martin" and info["platform"] == "zimbra"

    first_refresh = token["refresh_token"]
    renewed = rp.refresh_token(meta["token_endpoint"])
    assert renewed["refresh_token"] != first_refresh and renewed["access_token"] != token["access_token"]
    assert rp.get(meta["userinfo_endpoint"], timeout=10).status_code == 200
    with pytest.raises(OAuthError) as refused:
        rp.refresh_token(meta["token_endpoint"], refresh_token=first_refresh)
    assert refused.value.error == "invalid_grant"

    bye = browser.get(
        meta["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": GOODBYE, "state": "s"},
        allow_redirects=False,
        timeout=10,
    )
    assert bye.status_code == 302 and bye.headers["Location"] == f"{GOODBYE}?state=s"
    assert browser.get(f"{base}/services/", allow_redirects=False, timeout=10).headers["Location"].startswith("/login/")
    # Single logout reached the client's back channel with a logout token it can check.
    assert len(logout_tokens) == 1
    logout = _verify(logout_tokens[0], meta, sid=id_token["sid"], sub=id_token["sub"])
    assert logout["header"]["typ"] == "logout+jwt" and "nonce" not in logout
    assert logout["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}


def test_a_revoked_token_introspects_inactive(world, monkeypatch):
    base, meta, _ = world
    monkeypatch.setenv("GUICHET_OIDC_SECRET_DOVECOT", "dovecot-interop-secret")
    oidc_client("dovecot", redirect_uris=[])
    rp = OAuth2Session("webmail", SECRET, scope="openid", redirect_uri=WEBMAIL, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    location = browser_signed_in(base).get(url, allow_redirects=False, timeout=10).headers["Location"]
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, state=state, code_verifier=verifier)

    def introspect():
        auth = {"Authorization": basic("dovecot", "dovecot-interop-secret")}
        data = {"token": token["access_token"]}
        return requests.post(meta["introspection_endpoint"], data=data, headers=auth, timeout=10).json()

    assert introspect()["active"] is True
    rp.revoke_token(meta["revocation_endpoint"], token["access_token"], token_type_hint="access_token")
    assert introspect() == {"active": False}
