"""Tokens: one use per code, rotating refresh tokens, introspection and revocation, claims."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from jwcrypto import jwk, jwt

from audit.models import Event
from testing.oidc import PASSWORD, STUDENT, WEBMAIL, account, basic, oidc_client, pkce

pytestmark = pytest.mark.django_db
SECRET = "webmail-secret-for-tests"
DOVECOT_SECRET = "dovecot-secret-for-tests"


@pytest.fixture
def world(poitiers, monkeypatch):
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", SECRET)
    monkeypatch.setenv("GUICHET_OIDC_SECRET_DOVECOT", DOVECOT_SECRET)
    oidc_client("webmail", redirect_uris=[WEBMAIL], publics=["universite"])
    oidc_client("dovecot", redirect_uris=[])  # a resource server: introspection only
    return account()


def tokens(client, scope="openid email profile guichet"):
    """Sign in, authorize, exchange the code: (token response, code)."""
    client.post("/login/", {"identifier": STUDENT, "password": PASSWORD})
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": "webmail",
        "redirect_uri": WEBMAIL,
        "scope": scope,
        "nonce": "n0nce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    location = client.get(f"/oidc/authorize/?{urlencode(params)}")["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    return exchange(client, code, verifier), code, verifier


def exchange(client, code, verifier):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": WEBMAIL, "code_verifier": verifier}
    return client.post("/oidc/token/", data, HTTP_AUTHORIZATION=basic("webmail", SECRET))


def refresh(client, refresh_token):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return client.post("/oidc/token/", data, HTTP_AUTHORIZATION=basic("webmail", SECRET))


def introspect(client, token, secret=DOVECOT_SECRET):
    return client.post("/oidc/introspect/", {"token": token}, HTTP_AUTHORIZATION=basic("dovecot", secret))


def test_the_id_token_carries_directory_claims_and_the_session_id(client, world, settings):
    response, _code, _verifier = tokens(client)
    assert response.status_code == 200, response.content
    body = response.json()
    key = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    claims = json.loads(jwt.JWT(jwt=body["id_token"], key=key).claims)
    assert claims["aud"] == "webmail" and claims["nonce"] == "n0nce"
    assert claims["sub"] == str(world.pk) and len(claims["sid"]) == 32
    assert claims["email"] == STUDENT and claims["name"] == "Jeanne Martin"
    assert claims["institution"] == world.institution.slug and claims["platform"] == "zimbra"
    assert claims["affiliation"] == "student"


def test_userinfo_gives_only_what_the_scopes_allow(client, world):
    body = tokens(client, scope="openid email")[0].json()
    info = client.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert info == {"sub": str(world.pk), "email": STUDENT, "email_verified": True}


def test_a_replayed_code_is_refused_and_revokes_what_it_gave(client, world):
    first, code, verifier = tokens(client)
    assert first.status_code == 200
    replay = exchange(client, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert introspect(client, first.json()["access_token"]).json() == {"active": False}
    assert refresh(client, first.json()["refresh_token"]).status_code == 400
    assert Event.objects.filter(code="sso.oidc.code_replayed", subject=world).exists()


def test_refresh_tokens_rotate_and_the_old_one_is_refused(client, world):
    first = tokens(client)[0].json()
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert refresh(client, first["refresh_token"]).json()["error"] == "invalid_grant"
    # Replaying the old one revoked the whole family (RFC 9700 §4.14.2): the new one too.
    assert refresh(client, second.json()["refresh_token"]).status_code == 400


def test_introspection_says_who_and_stops_at_revocation(client, world):
    body = tokens(client)[0].json()
    live = introspect(client, body["access_token"]).json()
    assert live["active"] is True and live["username"] == STUDENT and live["client_id"] == "webmail"
    revoked = client.post("/oidc/revoke/", {"token": body["access_token"]}, HTTP_AUTHORIZATION=basic("webmail", SECRET))
    assert revoked.status_code == 200
    assert introspect(client, body["access_token"]).json() == {"active": False}


def test_introspection_needs_a_client_secret_and_a_post(client, world):
    body = tokens(client)[0].json()
    assert introspect(client, body["access_token"], secret="wrong").status_code in (401, 403)
    in_url = client.get(
        "/oidc/introspect/", {"token": body["access_token"]}, HTTP_AUTHORIZATION=basic("dovecot", DOVECOT_SECRET)
    )
    assert in_url.status_code == 405


def test_a_disabled_account_loses_its_tokens_at_once(client, world):
    body = tokens(client)[0].json()
    world.status = world.DISABLED
    world.save(update_fields=["status"])
    assert introspect(client, body["access_token"]).json() == {"active": False}
    assert refresh(client, body["refresh_token"]).status_code == 400
    assert client.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401


def test_a_client_cannot_mint_tokens_without_a_person(client, world):
    data = {"grant_type": "client_credentials"}
    response = client.post("/oidc/token/", data, HTTP_AUTHORIZATION=basic("dovecot", DOVECOT_SECRET))
    assert response.status_code in (400, 401) and "access_token" not in response.json()
