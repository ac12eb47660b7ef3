"""Third-party OpenID Connect clients, driven by Authlib (a relying-party library nobody here
wrote) over real HTTP: remembered and revocable consent, prompt=none answers, pairwise
subjects per sector, refresh tokens only with offline_access, access_denied at refusal."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from accounts.models import Account
from institutions.loader import load
from sso.models import OidcConsent
from testing.oidc import STUDENT, account, browser_signed_in, oidc_client

AGENDA = "https://agenda.example.net/cb"
SONDAGE = "https://sondage.example.com/cb"
WEBMAIL = "https://webmail.example.org/oidc/callback"
SECRET = "third-party-secret"


@pytest.fixture
def world(live_server, transactional_db, monkeypatch):
    load(settings.GUICHET_SETUP_FILE)
    for slug in ("agenda", "sondage", "webmail"):
        monkeypatch.setenv(f"GUICHET_OIDC_SECRET_{slug.upper()}", SECRET)
    oidc_client("agenda", name="Agenda partagé", redirect_uris=[AGENDA], third_party=True)
    oidc_client("sondage", name="Sondages", redirect_uris=[SONDAGE], third_party=True)
    oidc_client("webmail", redirect_uris=[WEBMAIL])
    account()
    meta = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    return live_server.url, meta


def _rp(client_id: str, redirect_uri: str, scope: str) -> OAuth2Session:
    return OAuth2Session(client_id, SECRET, scope=scope, redirect_uri=redirect_uri, code_challenge_method="S256")


def _start(rp: OAuth2Session, meta: dict, **params):
    verifier = generate_token(48)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, **params)
    return url, state, verifier


def _consent(browser, base, page) -> str:
    """Answer « Autoriser » on the consent page; the Location the client is sent to."""
    html = page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields["allow"] = "Autoriser"
    answer = browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[-500:]
    return answer.headers["Location"]


def _sub(token: dict, meta: dict) -> str:
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    return jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims["sub"]


def _signed_in_with(rp, meta, browser, base, scope_consent=True, **params):
    url, state, verifier = _start(rp, meta, **params)
    page = browser.get(url, allow_redirects=False, timeout=10)
    location = _consent(browser, base, page) if page.status_code == 200 and scope_consent else page.headers["Location"]
    return rp.fetch_token(meta["token_endpoint"], authorization_response=location, state=state, code_verifier=verifier)


def test_consent_is_asked_once_per_client_and_scope_then_revocable(world):
    base, meta = world
    browser = browser_signed_in(base)
    rp = _rp("agenda", AGENDA, "openid email")
    first = _signed_in_with(rp, meta, browser, base)
    assert first["access_token"]
    # Second time, same scopes: no question, straight back with a code.
    url, _state, _verifier = _start(rp, meta)
    again = browser.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "code" in parse_qs(urlsplit(again.headers["Location"]).query)
    # A new scope is a new question.
    wider = browser.get(_start(_rp("agenda", AGENDA, "openid email profile"), meta)[0], allow_redirects=False)
    assert wider.status_code == 200 and "Votre nom" in wider.text
    # prompt=none with remembered consent is silent.
    silent = browser.get(_start(rp, meta, prompt="none")[0], allow_redirects=False, timeout=10)
    assert "code" in parse_qs(urlsplit(silent.headers["Location"]).query)

    services = browser.get(f"{base}/services/", timeout=10)
    assert "Agenda partagé" in services.text and "Retirer l'accord donné à Agenda partagé" in services.text
    consent = OidcConsent.objects.get()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', services.text).group(1)
    revoke = f"{base}/services/autorisations/{consent.pk}/retirer/"
    browser.post(revoke, data={"csrfmiddlewaretoken": token}, headers={"Referer": services.url}, timeout=10)
    assert not OidcConsent.objects.exists()
    assert rp.get(meta["userinfo_endpoint"], timeout=10).status_code == 401  # its tokens ended too
    asked = browser.get(_start(rp, meta)[0], allow_redirects=False, timeout=10)
    assert asked.status_code == 200 and "Autoriser Agenda partagé" in asked.text


def test_prompt_none_says_login_required_or_consent_required(world):
    base, meta = world
    rp = _rp("agenda", AGENDA, "openid email")
    anonymous = requests.get(_start(rp, meta, prompt="none")[0], allow_redirects=False, timeout=10)
    assert parse_qs(urlsplit(anonymous.headers["Location"]).query)["error"] == ["login_required"]
    browser = browser_signed_in(base)
    no_consent = browser.get(_start(rp, meta, prompt="none")[0], allow_redirects=False, timeout=10)
    assert no_consent.headers["Location"].startswith(AGENDA)
    assert parse_qs(urlsplit(no_consent.headers["Location"]).query)["error"] == ["consent_required"]


def test_subjects_are_pairwise_for_third_parties_and_stable(world):
    base, meta = world
    browser = browser_signed_in(base)
    agenda = _sub(_signed_in_with(_rp("agenda", AGENDA, "openid"), meta, browser, base), meta)
    agenda_again = _sub(_signed_in_with(_rp("agenda", AGENDA, "openid"), meta, browser_signed_in(base), base), meta)
    sondage = _sub(_signed_in_with(_rp("sondage", SONDAGE, "openid"), meta, browser, base), meta)
    webmail = _sub(_signed_in_with(_rp("webmail", WEBMAIL, "openid"), meta, browser, base), meta)
    assert agenda == agenda_again  # stable across sign-ins
    assert agenda != sondage and len(agenda) == 64  # unlinkable across sectors
    assert webmail == str(Account.objects.get(identifier=STUDENT).pk)  # first party: public


def test_third_parties_get_refresh_tokens_only_with_offline_access(world):
    base, meta = world
    browser = browser_signed_in(base)
    without = _signed_in_with(_rp("agenda", AGENDA, "openid"), meta, browser, base)
    assert "refresh_token" not in without
    with_offline = _signed_in_with(_rp("agenda", AGENDA, "openid offline_access"), meta, browser, base)
    assert with_offline["refresh_token"]
    first_party = _signed_in_with(_rp("webmail", WEBMAIL, "openid"), meta, browser, base)
    assert first_party["refresh_token"]  # the institution's own clients, as before
