"""Requests Guichet refuses, each with a clear page and never a stack trace."""

import base64
import zlib
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from institutions.models import Client
from sso.protocols.saml import idp as saml

from . import saml_sp
from .saml_sp import ServiceProvider


@pytest.fixture(autouse=True)
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    yield
    saml.forget()


@pytest.fixture
def sp(poitiers, client):
    service = ServiceProvider()
    service.register()
    return service.connect(client)


def _refused(response, sentence):
    assert response.status_code == 400
    content = unescape(response.content.decode())
    assert "Connexion impossible" in content and sentence in content
    assert "Traceback" not in content and "saml2" not in content
    return content


def _redirect_xml(url: str) -> tuple[dict, str]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return query, zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15).decode()


def _deflated(xml: str) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(packer.compress(xml.encode()) + packer.flush()).decode()


def test_an_unknown_service_provider_gets_a_clear_page(client, sp):
    stranger = ServiceProvider("https://inconnu.example.org/saml").connect(client)
    _id, url = stranger.redirect_request()
    _refused(client.get(url), "n'est pas enregistré auprès de Guichet")


@pytest.mark.parametrize("acs", ["https://evil.example.org/saml/acs", "https://sp.example.org/saml/acs/"])
def test_an_assertion_consumer_url_other_than_the_registered_one_is_refused(client, sp, acs):
    _id, url = sp.redirect_request(assertion_consumer_service_url=acs)
    _refused(client.get(url), "L'adresse de retour demandée n'est pas celle enregistrée")
    _id, posted = sp.post_request(assertion_consumer_service_url=acs)
    _refused(client.post("/saml/sso/post", posted), "L'adresse de retour demandée")


def test_a_tampered_redirect_request_is_refused(client, sp):
    _id, url = sp.redirect_request()
    query, xml = _redirect_xml(url)
    tampered = {**query, "SAMLRequest": _deflated(xml.replace('Version="2.0"', 'Version="2.0" ForceAuthn="false"'))}
    _refused(client.get(f"/saml/sso/redirect?{urlencode(tampered)}"), "signature absente ou invalide")
    # The RelayState is signed too.
    _refused(client.get(f"/saml/sso/redirect?{urlencode({**query, 'RelayState': 'elsewhere'})}"), "signature")


def test_a_tampered_post_request_is_refused(client, sp):
    _id, posted = sp.post_request()
    xml = base64.b64decode(posted["SAMLRequest"]).decode()
    tampered = xml.replace('Version="2.0"', 'Version="2.0" IsPassive="true"', 1)
    assert tampered != xml
    forged = {**posted, "SAMLRequest": base64.b64encode(tampered.encode()).decode()}
    _refused(client.post("/saml/sso/post", forged), "signature absente ou invalide")


def test_unsigned_or_wrongly_signed_requests_from_a_signing_provider_are_refused(client, sp):
    _id, url = sp.redirect_request(sign=False)
    assert "Signature=" not in url
    _refused(client.get(url), "signature absente ou invalide")
    _id, posted = sp.post_request(sign=False)
    _refused(client.post("/saml/sso/post", posted), "signature absente ou invalide")
    intruder = ServiceProvider(key_name="intruder").connect(client)  # same entity ID, another key
    _id, url = intruder.redirect_request()
    _refused(client.get(url), "signature absente ou invalide")


def test_a_provider_registered_without_a_certificate_may_send_unsigned_requests(client, poitiers):
    # entity_id and acs_url only, no metadata, no certificate.
    Client.objects.create(
        slug="owa-saml",
        name="Outlook (SAML)",
        protocol="saml",
        config={
            "entity_id": "https://webmail.chu-poitiers.fr/owa/",
            "acs_url": "https://webmail.chu-poitiers.fr/owa/saml/acs",
        },
    )
    owa = ServiceProvider(
        "https://webmail.chu-poitiers.fr/owa/", acs="https://webmail.chu-poitiers.fr/owa/saml/acs", signs=False
    ).connect(client)
    _id, url = owa.redirect_request(sign=False)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_a_provider_registered_with_a_certificate_only_must_sign(client, poitiers):
    sp = ServiceProvider()
    sp.register(metadata=None, certificate=Path(sp.cert_file).read_text(), slo_url=saml_sp.SLO)
    sp.connect(client)
    _id, url = sp.redirect_request()
    assert client.get(url).status_code == 302  # signed: on to the sign-in
    _id, url = sp.redirect_request(sign=False)
    _refused(client.get(url), "signature absente ou invalide")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?SAMLRequest=bm90IHhtbA%3D%3D",
        "?SAMLRequest=%25%25%25",
        "?pending=forged",
        "?pending=eyJzcCI6Imh0dHBzOi8vc3AifQ:1xXa1y:tampered",
    ],
)
def test_garbage_gets_the_clear_page_too(client, sp, query):
    response = client.get(f"/saml/sso/redirect{query}")
    assert response.status_code == 400 and "Connexion impossible" in response.content.decode()


def test_a_pending_request_expires(client, sp, settings, monkeypatch):
    saml_sp.sign_in(client, "x@chu-poitiers.fr")
    _id, url = sp.redirect_request()
    to_login = client.get(url)
    monkeypatch.setattr("sso.protocols.saml.rules.PENDING_MAX_AGE", -1)
    _refused(client.get(saml_sp.next_of(to_login)), "Cette demande a expiré")
