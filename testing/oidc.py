"""Helpers for the OpenID Connect tests: accounts, clients, PKCE, a signed-in "browser"."""

import base64
import hashlib
import re
import secrets

import requests

from accounts.models import Account
from institutions.models import Client, Public
from testing.personas import PASSWORD, STUDENT, make_person

# A native client's loopback redirect: nothing listens there, tests read the code from Location.
LOOPBACK = "http://127.0.0.1:8765/callback"
WEBMAIL = "https://webmail.example.org/oidc/callback"


def account(identifier: str = STUDENT, public: str = "universite", **fields) -> Account:
    """The student persona's name and affiliation (no secondary address), or another person's."""
    fields = {"display_name": "Jeanne Martin", "affiliation": "student", **fields}
    return make_person(identifier, public, **fields)


def oidc_client(slug: str, *, publics=(), name: str = "", **config) -> Client:
    """An "oidc" client row (its Application follows by the post_save sync)."""
    config = {"client_id": slug, "redirect_uris": [LOOPBACK], "public": False, **config}
    client = Client.objects.create(slug=slug, name=name or slug.title(), protocol="oidc", config=config)
    if publics:
        client.publics.set(Public.objects.filter(slug__in=publics))
    return client


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def browser_signed_in(base: str, identifier: str = STUDENT, password: str = PASSWORD) -> requests.Session:
    """A requests session that signed in through /login/ like a browser (cookies, CSRF)."""
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=10).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, "no CSRF token on the sign-in page"
    token = found.group(1)
    response = browser.post(
        f"{base}/login/",
        data={"identifier": identifier, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[-500:]
    return browser
