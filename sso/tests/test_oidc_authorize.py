"""The authorize end point behind Guichet's one sign-in: who may get a code, and where it goes."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from audit.models import Event
from sso.models import SignOn
from testing.http import next_location
from testing.oidc import LOOPBACK, PASSWORD, STUDENT, WEBMAIL, account, oidc_client, pkce

pytestmark = pytest.mark.django_db


@pytest.fixture
def webmail(poitiers):
    return oidc_client("webmail", redirect_uris=[WEBMAIL], publics=["universite"])


def sign_in(client, identifier=STUDENT):
    response = client.post("/login/", {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302


def authorize(client, client_id="webmail", redirect_uri=WEBMAIL, **extra):
    _verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email",
        "state": "st4te",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    params = {k: v for k, v in params.items() if v is not None}
    return client.get(f"/oidc/authorize/?{urlencode(params)}")


def query(response) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def test_it_sends_the_anonymous_to_the_one_sign_in_and_back(client, student, webmail):
    response = authorize(client)
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == "/login/"
    next_url = parse_qs(login.query)["next"][0]
    assert next_url.startswith("/oidc/authorize/?")

    response = client.post("/login/", {"identifier": STUDENT, "password": PASSWORD, "next": next_url})
    assert next_location(response) == next_url
    response = client.get(next_url)
    assert response["Location"].startswith(WEBMAIL + "?")
    assert query(response)["state"] == "st4te"
    assert "code" in query(response)


def test_it_gives_a_code_remembers_the_sign_on_and_audits(client, student, webmail):
    sign_in(client)
    response = authorize(client)
    assert response.status_code == 302
    params = query(response)
    assert params["code"] and params["state"] == "st4te"
    assert params["iss"] == "http://testserver"  # RFC 9207
    sign_on = SignOn.objects.get(client=webmail)
    assert len(sign_on.data["sid"]) == 32 and sign_on.data["sub"] == str(student.pk)
    assert params["code"] not in str(sign_on.data)
    event = Event.objects.get(code="sso.oidc.authorize")
    assert event.subject == student and event.data["client"] == "webmail"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.net/oidc/callback",
        WEBMAIL + "/",  # near misses: one character more,
        WEBMAIL + "?next=https://evil.example.net",  # a query,
        "https://webmail.example.org.evil.example.net/oidc/callback",  # a look-alike host,
        "http://webmail.example.org/oidc/callback",  # another scheme,
        "https://webmail.example.org:8443/oidc/callback",  # another port,
        "https://WEBMAIL.example.org/oidc/Callback",  # another case in the path,
        "https://user@webmail.example.org/oidc/callback",  # credentials.
    ],
)
def test_it_refuses_a_redirect_uri_it_does_not_know_exactly_without_going_there(client, student, webmail, redirect_uri):
    sign_in(client)
    response = authorize(client, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response
    assert "Connexion impossible" in response.content.decode()
    assert not SignOn.objects.exists()


def test_it_refuses_an_unknown_client_without_redirecting(client, student):
    response = authorize(client, client_id="nobody")
    assert response.status_code == 400 and "Location" not in response


def test_a_loopback_redirect_may_use_any_port_but_not_another_path(client, student, poitiers):
    oidc_client("native", public=True)
    sign_in(client)
    assert "code" in query(authorize(client, "native", "http://127.0.0.1:51234/callback"))
    assert authorize(client, "native", "http://127.0.0.1:51234/other").status_code == 400
    assert authorize(client, "native", "http://localhost:8765/callback").status_code == 400


def test_a_public_client_must_use_pkce_s256(client, student, poitiers):
    oidc_client("native", public=True)
    sign_in(client)
    without = authorize(client, "native", LOOPBACK, code_challenge=None, code_challenge_method=None)
    assert query(without)["error"] == "invalid_request" and "code" not in query(without)
    plain = authorize(client, "native", LOOPBACK, code_challenge="x" * 43, code_challenge_method="plain")
    assert "code" not in query(plain)


def test_a_client_may_not_ask_for_the_mailbox_unless_its_config_says_so(client, student, webmail):
    sign_in(client)
    assert query(authorize(client, scope="openid mail"))["error"] == "invalid_scope"


def test_a_person_of_another_public_gets_the_wrong_portal_page_with_the_right_door(client, webmail):
    account("enseignant@ac-poitiers.fr", public="academie")
    sign_in(client, "enseignant@ac-poitiers.fr")
    response = authorize(client)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Mauvais portail" in page and "Convergence" in page
    assert not SignOn.objects.exists()
    # RFC 6749 §4.1.2.1: and a way back that tells the client it was refused.
    assert f'href="{WEBMAIL}?error=access_denied&amp;state=st4te"' in page


def test_prompt_login_asks_for_the_password_again(client, student, webmail):
    sign_in(client)
    response = authorize(client, prompt="login")
    login = urlsplit(response["Location"])
    assert login.path == "/login/" and parse_qs(login.query)["renew"] == ["1"]
    next_url = parse_qs(login.query)["next"][0]
    # Coming back without a fresh password is not enough.
    assert urlsplit(client.get(next_url)["Location"]).path == "/login/"
    client.post("/login/", {"identifier": STUDENT, "password": PASSWORD, "next": next_url})
    assert "code" in query(client.get(next_url))


def test_max_age_zero_is_a_fresh_sign_in_too(client, student, webmail):
    sign_in(client)
    response = authorize(client, max_age="0")
    assert urlsplit(response["Location"]).path == "/login/"


def test_prompt_none_without_a_session_goes_back_with_login_required(client, student, webmail):
    response = authorize(client, prompt="none")
    assert response["Location"].startswith(WEBMAIL) and query(response)["error"] == "login_required"


def test_a_third_party_client_asks_for_consent(client, student, poitiers):
    oidc_client("agenda", name="Agenda partagé", third_party=True)
    sign_in(client)
    page = authorize(client, "agenda", LOOPBACK, scope="openid email")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert "Autoriser Agenda partagé" in text and "Votre adresse de messagerie" in text
    assert "form-action 'self' http://127.0.0.1:8765" in page["Content-Security-Policy"]

    form = {f.name: f.value() for f in page.context["form"]}
    form = {k: v for k, v in form.items() if v is not None and k != "allow"}
    refused = client.post(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], form)
    assert query(refused)["error"] == "access_denied"
    allowed = client.post(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], {**form, "allow": "on"})
    assert "code" in query(allowed)
