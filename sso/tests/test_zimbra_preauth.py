"""Zimbra preauth: checked against Zimbra's own published worked example, then end to end."""

import hashlib
import hmac
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from sso.protocols.zimbra import rules as zimbra

from .conftest import sign_in

KEY = "6b7ead4bd425836e8cf0079cd6c1a05acc127acd07c8ee4b61023e19250e929c"


def test_the_worked_example_from_zimbras_preauth_documentation():
    # Zimbra wiki "Preauth": account john.doe@domain.com, by name, expires 0,
    # timestamp 1135280708088 → preauth b248f6cfd027edd45c5369f8490125204772f844.
    assert zimbra.preauth_value(KEY, "john.doe@domain.com", "name", 0, 1135280708088) == (
        "b248f6cfd027edd45c5369f8490125204772f844"
    )


def test_the_url_carries_every_parameter():
    url = zimbra.preauth_url(
        "https://mail.example.org/service/preauth", KEY, "john.doe@domain.com", now_ms=1135280708088
    )
    assert urlsplit(url).path == "/service/preauth"
    assert parse_qs(urlsplit(url).query) == {
        "account": ["john.doe@domain.com"],
        "by": ["name"],
        "timestamp": ["1135280708088"],
        "expires": ["0"],
        "preauth": ["b248f6cfd027edd45c5369f8490125204772f844"],
    }


@pytest.mark.django_db
def test_ouvrir_ma_messagerie_redirects_with_a_fresh_preauth(client, student, settings, caplog):
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {"etu.univ-poitiers.fr": KEY}
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    services = client.get("/services/").content.decode()
    assert 'href="/sso/zimbra/zimbra-webmail/"' in services and KEY not in services
    with caplog.at_level(logging.DEBUG):
        response = client.get("/sso/zimbra/zimbra-webmail/")
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://webmail.univ-poitiers.fr/service/preauth"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    message = f"{query['account']}|{query['by']}|{query['expires']}|{query['timestamp']}".encode()
    assert query["preauth"] == hmac.new(KEY.encode(), message, hashlib.sha1).hexdigest()
    assert query["account"] == "etudiant@etu.univ-poitiers.fr"
    assert response["Cache-Control"] == "no-store"
    assert all(KEY not in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_without_a_key_the_page_says_so_plainly(client, student, settings):
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {}
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    response = client.get("/sso/zimbra/zimbra-webmail/")
    assert response.status_code == 503 and "momentanément indisponible" in response.content.decode()


@pytest.mark.django_db
def test_a_teacher_sent_to_zimbra_gets_the_right_door(client, teacher, settings):
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {"ac-poitiers.fr": KEY}
    sign_in(client, "enseignant@ac-poitiers.fr")
    response = client.get("/sso/zimbra/zimbra-webmail/")
    html = response.content.decode()
    assert response.status_code == 403 and "Mauvais portail" in html and "Convergence" in html


@pytest.mark.django_db
def test_anonymous_people_sign_in_first(client, poitiers):
    assert client.get("/sso/zimbra/zimbra-webmail/")["Location"].startswith("/login/?next=%2Fsso%2Fzimbra")
