"""Finding 1: a reset or « Déconnecter partout » left OpenID Connect tokens alive.

A thief holds an access token with the `mail` scope and a refresh token; the owner resets
the password (or signs out everywhere). Counted: tokens still accepted afterwards, by
introspection (what Dovecot asks for IMAP/SMTP) and by the token end point (refresh).
"""

import base64
import hashlib
import os
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

FINDINGS = (1,)
TITLE = "Credentials end together: tokens die with a reset or « Déconnecter partout »"
REDIRECT = "https://webmail.bench.invalid/callback"
SECRET = "bench-webmail-" + secrets.token_hex(8)
RS_SECRET = "bench-rs-" + secrets.token_hex(8)
NEW_PASSWORD = "Vélo-Orange-Pluie-Quatre-2026"  # noqa: S105 - a bench fixture


def _clients() -> None:
    from institutions.models import Client, Public

    os.environ["GUICHET_OIDC_SECRET_BENCH_WEBMAIL"] = SECRET
    os.environ["GUICHET_OIDC_SECRET_BENCH_RS"] = RS_SECRET
    for slug, uris in (("bench-webmail", [REDIRECT]), ("bench-rs", [])):
        config = {"client_id": slug, "redirect_uris": uris, "public": False, "scopes": ["openid", "email", "mail"]}
        client, _ = Client.objects.update_or_create(
            slug=slug, defaults={"name": slug, "protocol": "oidc", "config": config}
        )
        client.publics.set(Public.objects.all())


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _tokens(target, identifier: str, password: str, ip: str) -> tuple[dict, object]:
    browser = target.browser(ip)
    browser.post("/login/", {"identifier": identifier, "password": password})
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": "bench-webmail",
            "redirect_uri": REDIRECT,
            "scope": "openid email mail",  # the token that opens the mailbox over IMAP
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    location = browser.get(f"/oidc/authorize/?{query}").headers.get("Location", "")
    code = parse_qs(urlsplit(location).query).get("code", [""])[0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    answer = requests.post(
        f"{target.base_url}/oidc/token/", data=data, headers=_basic("bench-webmail", SECRET), timeout=30
    )
    return answer.json(), browser


def _alive(target, tokens: dict) -> int:
    """How many of the two tokens still work: access by introspection, refresh by use."""
    url = target.base_url
    active = (
        requests.post(
            f"{url}/oidc/introspect/",
            data={"token": tokens.get("access_token", "")},
            headers=_basic("bench-rs", RS_SECRET),
            timeout=30,
        )
        .json()
        .get("active", False)
    )
    refreshed = (
        requests.post(
            f"{url}/oidc/token/",
            data={"grant_type": "refresh_token", "refresh_token": tokens.get("refresh_token", "")},
            headers=_basic("bench-webmail", SECRET),
            timeout=30,
        ).status_code
        == 200
    )
    return int(bool(active)) + int(refreshed)


def run(target) -> dict:
    from recovery import actions
    from recovery.models import ResetCode

    _clients()
    suffix = secrets.token_hex(3)
    person = target.account(f"bench.f1.{suffix}@etu.univ-poitiers.fr")
    stolen, _thief = _tokens(target, person.identifier, "Correct-Horse-Battery-2026", "203.0.113.10")
    before = _alive(target, {"access_token": stolen.get("access_token")})  # introspection only: refresh rotates
    # The owner resets with a code from the support desk, in another browser.
    _row, code = actions.issue(None, person, ResetCode.PRINTED, "", origin=ResetCode.SUPPORT)
    owner = target.browser("198.51.100.20")
    owner.post("/password/reset/code/", {"identifier": person.identifier, "code": code})
    owner.post("/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    after_reset = _alive(target, stolen)
    # Then the same thief again, and the owner signs out everywhere from their own browser.
    stolen_again, _ = _tokens(target, person.identifier, NEW_PASSWORD, "203.0.113.11")
    own, browser = _tokens(target, person.identifier, NEW_PASSWORD, "198.51.100.20")
    browser.post(
        "/compte/connexions/deconnecter-partout/", {}, headers={"Referer": target.base_url + "/compte/connexions/"}
    )
    after_everywhere = _alive(target, stolen_again) + _alive(target, own)
    return {
        "figures": {
            "stolen access token accepted before the reset": before,
            "tokens still accepted after the reset (of 2)": after_reset,
            "tokens still accepted after « Déconnecter partout » (of 4)": after_everywhere,
        },
        "checks": {
            "the stolen token worked before (the attack is real)": before == 1,
            "0 tokens alive right after a reset": after_reset == 0,
            "0 tokens alive right after « Déconnecter partout »": after_everywhere == 0,
        },
    }
