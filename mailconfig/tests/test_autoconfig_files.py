"""Thunderbird autoconfig and Outlook Autodiscover answers, checked against the standards'
schemas (RELAX NG of draft-ietf-mailmaint-autoconfig; POX response schema) and read back."""

import pytest
from lxml import etree

from .conftest import HERE

pytestmark = pytest.mark.django_db

RNG = etree.RelaxNG(etree.parse(str(HERE / "autoconfig.rng")))
XSD = etree.XMLSchema(etree.parse(str(HERE / "autodiscover-pox-response.xsd")))
OUTLOOK = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"

POX_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>"""


def _autoconfig(client, address, path="/mail/config-v1.1.xml"):
    return client.get(path, {"emailaddress": address})


@pytest.mark.parametrize("path", ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"])
@pytest.mark.parametrize("address", ["jeanne.martin@etu.univ-poitiers.fr", "x@ac-poitiers.fr", "y@chu-poitiers.fr"])
def test_autoconfig_is_valid_against_the_ietf_relax_ng_schema(client, poitiers, path, address):
    response = _autoconfig(client, address, path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    assert RNG.validate(document), RNG.error_log


def test_autoconfig_lists_imap_pop_and_smtp_with_their_encryption(client, poitiers):
    document = etree.fromstring(_autoconfig(client, "jeanne.martin@etu.univ-poitiers.fr").content)
    provider = document.find("emailProvider")
    assert [d.text for d in provider.findall("domain")] == ["etu.univ-poitiers.fr", "univ-poitiers.fr"]
    servers = [
        (s.tag, s.get("type"), s.findtext("hostname"), s.findtext("port"), s.findtext("socketType"))
        for s in provider
        if s.tag.endswith("Server")
    ]
    assert servers == [
        ("incomingServer", "imap", "imap.univ-poitiers.fr", "993", "SSL"),
        ("incomingServer", "pop3", "pop.univ-poitiers.fr", "995", "SSL"),
        ("outgoingServer", "smtp", "smtp.univ-poitiers.fr", "587", "STARTTLS"),
    ]
    assert {s.findtext("username") for s in provider.iter("incomingServer")} == {"%EMAILADDRESS%"}


def test_autoconfig_gives_the_oauth2_client_registration_where_the_platform_accepts_it(client, poitiers):
    zimbra = etree.fromstring(_autoconfig(client, "a@univ-poitiers.fr").content)
    assert [a.text for a in zimbra.find("emailProvider/incomingServer").findall("authentication")] == [
        "password-cleartext",
        "OAuth2",
    ]
    oauth = zimbra.find("oAuth2")
    assert oauth.findtext("clientID") == "thunderbird"
    assert oauth.findtext("authURL").endswith("/oidc/authorize/")
    assert oauth.findtext("tokenURL").endswith("/oidc/token/")
    assert "mail" in oauth.findtext("scope").split()
    convergence = etree.fromstring(_autoconfig(client, "a@ac-poitiers.fr").content)
    assert convergence.find("oAuth2") is None


def test_autoconfig_answers_the_same_bytes_for_any_address_of_a_domain(client, student):
    known = _autoconfig(client, student.identifier).content
    unknown = _autoconfig(client, "personne.inconnue@etu.univ-poitiers.fr").content
    assert known == unknown
    assert b"jeanne" not in known


def test_autoconfig_finds_the_domain_from_the_autoconfig_host_name(client, poitiers, settings):
    settings.ALLOWED_HOSTS = ["autoconfig.ac-poitiers.fr"]
    response = client.get("/mail/config-v1.1.xml", HTTP_HOST="autoconfig.ac-poitiers.fr")
    assert response.status_code == 200
    assert b"imap.ac-poitiers.fr" in response.content


@pytest.mark.parametrize("address", ["x@gmail.com", "pas-une-adresse", ""])
def test_autoconfig_is_not_found_for_other_domains(client, poitiers, address):
    assert _autoconfig(client, address).status_code == 404


def _autodiscover(client, body, path="/autodiscover/autodiscover.xml"):
    return client.post(path, body, content_type="text/xml")


@pytest.mark.parametrize("path", ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"])
def test_autodiscover_is_valid_against_the_pox_response_schema_with_encryption(client, poitiers, path):
    response = _autodiscover(client, POX_REQUEST.format(address="jeanne.martin@etu.univ-poitiers.fr"), path)
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    assert XSD.validate(document), XSD.error_log
    protocols = {
        p.findtext(f"{OUTLOOK}Type"): (
            p.findtext(f"{OUTLOOK}Server"),
            p.findtext(f"{OUTLOOK}Port"),
            p.findtext(f"{OUTLOOK}Encryption"),
            p.findtext(f"{OUTLOOK}LoginName"),
        )
        for p in document.iter(f"{OUTLOOK}Protocol")
    }
    assert protocols == {
        "IMAP": ("imap.univ-poitiers.fr", "993", "SSL", "jeanne.martin@etu.univ-poitiers.fr"),
        "SMTP": ("smtp.univ-poitiers.fr", "587", "TLS", "jeanne.martin@etu.univ-poitiers.fr"),
    }


def test_autodiscover_never_answers_for_a_domain_whose_exchange_serves_its_own(client, poitiers):
    response = _autodiscover(client, POX_REQUEST.format(address="soignant@chu-poitiers.fr"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not xml",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&e;</EMailAddress></Request></Autodiscover>',
        POX_REQUEST.format(address="sans-arobase"),
    ],
)
def test_autodiscover_answers_a_bad_request_with_the_pox_error_and_no_500(client, poitiers, body):
    response = _autodiscover(client, body)
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    assert XSD.validate(document), XSD.error_log
    assert b"<ErrorCode>600</ErrorCode>" in response.content


def test_autodiscover_refuses_get(client, poitiers):
    assert client.get("/autodiscover/autodiscover.xml").status_code == 405
