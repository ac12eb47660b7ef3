"""acr / amr in the ID token (RFC 8176, REFEDS MFA/SFA) and acr_values forcing a second
factor, read by Authlib and joserfc (a relying-party library and a JOSE library nobody here wrote)."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from joserfc import jwt
from joserfc.jwk import KeySet

from institutions.loader import load
from sso.auth import MFA, SFA
from testing.oidc import PASSWORD, STUDENT, account, browser_signed_in, oidc_client

WEBMAIL = "https://webmail.example.org/oidc/callback"
SECRET = "acr-secret"


@pytest.fixture
def world(live_server, transactional_db, monkeypatch):
    load(settings.GUICHET_SETUP_FILE)
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", SECRET)
    oidc_client("webmail", redirect_uris=[WEBMAIL])
    person = account()
    meta = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    return live_server.url, meta, person


def _claims(browser, meta, **params) -> dict:
    rp = OAuth2Session("webmail", SECRET, scope="openid", redirect_uri=WEBMAIL, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, **params)
    location = browser.get(url, allow_redirects=False, timeout=10).headers["Location"]
    token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, state=state, code_verifier=verifier)
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    return jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims


def _signed_in_with_totp(base: str, device: TOTPDevice) -> requests.Session:
    browser = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(f"{base}/login/").text).group(1)
    form = {"identifier": STUDENT, "password": PASSWORD, "csrfmiddlewaretoken": token}
    step = browser.post(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step.text).group(1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    code = {"code": f"{totp.token():06d}", "csrfmiddlewaretoken": token}
    done = browser.post(step.url, data=code, headers={"Referer": step.url}, allow_redirects=False, timeout=10)
    assert done.status_code == 302, done.text[-400:]
    return browser


def test_a_password_sign_in_says_pwd_and_single_factor(world):
    base, meta, _person = world
    assert {MFA, SFA} <= set(meta["acr_values_supported"])
    claims = _claims(browser_signed_in(base), meta)
    assert claims["amr"] == ["pwd"] and claims["acr"] == SFA


def test_a_totp_sign_in_says_otp_and_multi_factor(world):
    base, meta, person = world
    device = TOTPDevice.objects.create(user=person, name="TOTP", confirmed=True)
    claims = _claims(_signed_in_with_totp(base, device), meta, acr_values=MFA)
    assert claims["amr"] == ["pwd", "otp"] and claims["acr"] == MFA


def test_acr_values_mfa_sends_a_password_only_session_to_a_fresh_sign_in(world):
    base, meta, person = world
    browser = browser_signed_in(base)  # before the second factor existed
    TOTPDevice.objects.create(user=person, name="TOTP", confirmed=True)
    rp = OAuth2Session("webmail", SECRET, scope="openid", redirect_uri=WEBMAIL, code_challenge_method="S256")
    url, _state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48), acr_values=MFA
    )
    response = browser.get(url, allow_redirects=False, timeout=10)
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login/" and parse_qs(target.query)["renew"] == ["1"]


def test_acr_values_mfa_without_a_second_factor_says_so_with_a_way_back(world):
    base, meta, _person = world
    rp = OAuth2Session("webmail", SECRET, scope="openid", redirect_uri=WEBMAIL, code_challenge_method="S256")
    url, state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48), acr_values=MFA
    )
    page = browser_signed_in(base).get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 403 and "Vérification en deux étapes demandée" in page.text
    assert f"{WEBMAIL}?error=access_denied&amp;state={state}" in page.text
