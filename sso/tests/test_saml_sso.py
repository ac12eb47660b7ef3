"""SP-initiated single sign-on, checked by a pysaml2 service provider (its own keys)."""

import base64
import re

import pytest
from saml2.response import StatusInvalidNameidPolicy, StatusNoPassive, StatusRequestDenied, UnsolicitedResponse
from saml2.sigver import SignatureError

from audit.models import Event
from institutions.models import Institution
from sso.models import SignOn
from sso.protocols.saml import idp as saml
from testing.http import next_location

from . import saml_sp
from .saml_sp import ACS

EVERYTHING = ["mail", "displayName", "eduPersonAffiliation", "institution", "platform"]


@pytest.fixture(autouse=True)
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    yield
    saml.forget()


@pytest.fixture
def sp(poitiers, client):
    service = saml_sp.ServiceProvider()
    service.register(attributes=EVERYTHING)
    return service.connect(client)


def test_it_signs_in_over_the_redirect_binding(client, sp, nurse):
    request_id, url = sp.redirect_request()
    to_login = client.get(url)
    assert to_login.status_code == 302 and to_login["Location"].startswith("/login/?next=")

    back = saml_sp.sign_in(client, nurse.identifier, next_url=saml_sp.next_of(to_login))
    page = client.get(next_location(back))
    assert "no-store" in page["Cache-Control"]
    assert "form-action 'self' https://sp.example.org" in page["Content-Security-Policy"]
    assert "Continuer</button>" in page.content.decode()  # works without JavaScript
    action, fields = saml_sp.form(page)
    assert action == ACS and fields["RelayState"] == "back-to-inbox"

    answer = sp.read_response(fields, request_id)
    assert answer.response.signature is not None and answer.assertion.signature is not None
    assert answer.name_id.format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert answer.name_id.text == "infirmiere@chu-poitiers.fr"
    assert answer.ava == {
        "mail": ["infirmiere@chu-poitiers.fr"],
        "displayName": ["Claire Dubois"],
        "eduPersonAffiliation": ["staff", "employee"],
        "urn:guichet:attribute:institution": ["chu-poitiers"],  # no standard name: Guichet's URN
        "urn:guichet:attribute:platform": ["exchange"],
    }
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert xml.count('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"') == 2
    assert xml.count('Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"') == 2
    assert 'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" FriendlyName="mail"' in xml

    sign_on = SignOn.objects.get(client__slug="test-sp")
    assert sign_on.data["name_id"] == nurse.identifier
    assert sign_on.data["session_index"] == answer.assertion.authn_statement[0].session_index
    event = Event.objects.get(code="sso.saml.response")
    assert event.subject == nurse and event.data["status"] == "success"


def test_it_signs_in_over_the_post_binding(client, sp, nurse):
    saml_sp.sign_in(client, nurse.identifier)
    request_id, posted = sp.post_request(relay_state="from-post")
    # The POST comes from the SP's site, without Guichet's cookie: checked, then sent on.
    hop = client.post("/saml/sso/post", posted)
    assert hop.status_code == 303 and hop["Location"].startswith("/saml/sso/redirect?pending=")
    _action, fields = saml_sp.form(client.get(hop["Location"]))
    answer = sp.read_response(fields, request_id)
    assert answer.name_id.text == nurse.identifier and fields["RelayState"] == "from-post"


def test_only_the_attributes_listed_for_the_service_provider_are_released(client, nurse, poitiers):
    sp = saml_sp.ServiceProvider()
    sp.register(attributes=["displayName"])
    sp.connect(client)
    answer = saml_sp.sign_on(client, sp, nurse.identifier)
    assert answer.ava == {"displayName": ["Claire Dubois"]}
    xml = answer.xmlstr.decode() if isinstance(answer.xmlstr, bytes) else answer.xmlstr
    assert xml.count("<ns1:Attribute ") == 1  # nothing else, not even under another name
    assert Event.objects.get(code="sso.saml.response").data["attributes"] == ["displayName"]


def test_force_authn_asks_for_the_password_again(client, sp, nurse):
    saml_sp.sign_in(client, nurse.identifier)
    request_id, url = sp.redirect_request(force_authn="true")
    to_login = client.get(url)
    assert to_login.status_code == 302 and "renew=1" in to_login["Location"]
    # Coming back without typing the password again is not enough.
    again = client.get(saml_sp.next_of(to_login))
    assert again.status_code == 302 and again["Location"].startswith("/login/")

    back = saml_sp.sign_in(client, nurse.identifier, next_url=saml_sp.next_of(to_login))
    _action, fields = saml_sp.form(client.get(next_location(back)))
    assert sp.read_response(fields, request_id).name_id.text == nurse.identifier
    assert Event.objects.get(code="sso.saml.response").data["force_authn"] is True


def test_is_passive_answers_no_passive_when_nobody_is_signed_in(client, sp):
    request_id, url = sp.redirect_request(is_passive="true")
    action, fields = saml_sp.form(client.get(url))  # no sign-in page, straight back
    assert action == ACS
    with pytest.raises(StatusNoPassive):
        sp.read_response(fields, request_id)


def test_a_person_of_another_public_gets_the_wrong_portal_page(client, sp, poitiers):
    student = saml_sp.person("universite", "etudiant@etu.univ-poitiers.fr")
    saml_sp.sign_in(client, student.identifier)
    request_id, url = sp.redirect_request()
    page = client.get(url)
    assert page.status_code == 403
    content = page.content.decode()
    assert "Mauvais portail" in content and "Aller sur Zimbra" in content
    assert not SignOn.objects.exists()
    assert Event.objects.get(code="sso.saml.response").data["status"] == "denied"
    # Going back, the SP receives a signed Responder / RequestDenied Response, no assertion.
    assert "form-action 'self' https://sp.example.org" in page["Content-Security-Policy"]
    action = re.search(r'<form method="post" action="([^"]+)">', content).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', content))
    assert action == ACS
    with pytest.raises(StatusRequestDenied):
        sp.read_response(fields, request_id)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "urn:oasis:names:tc:SAML:2.0:status:Responder" in xml and "<ns1:Assertion" not in xml
    assert "Signature" in xml


def test_an_altered_or_replayed_response_is_rejected_by_the_service_provider(client, sp, nurse):
    saml_sp.sign_in(client, nurse.identifier)
    request_id, url = sp.redirect_request()
    _action, fields = saml_sp.form(client.get(url))
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert xml.count(">Claire Dubois<") == 1
    altered = xml.replace(">Claire Dubois<", ">Mallory Dubois<")
    with pytest.raises(SignatureError):
        sp.read_response({"SAMLResponse": base64.b64encode(altered.encode()).decode()}, request_id)

    assert sp.read_response(fields, request_id).ava["displayName"] == ["Claire Dubois"]
    # The SP has used up its request: the same Response again is unsolicited.
    with pytest.raises(UnsolicitedResponse):
        sp.saml.parse_authn_request_response(fields["SAMLResponse"], "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")


def test_a_login_that_is_no_address_cannot_satisfy_an_email_name_id_policy(client, sp):
    chu = Institution.objects.get(slug="chu-poitiers")
    saml_sp.Account.objects.create_user("jmartin", saml_sp.PASSWORD, institution=chu)
    client.post("/login/", {"identifier": "jmartin", "password": saml_sp.PASSWORD, "institution": chu.slug})
    request_id, url = sp.redirect_request()
    _action, fields = saml_sp.form(client.get(url))
    with pytest.raises(StatusInvalidNameidPolicy):
        sp.read_response(fields, request_id)
    assert Event.objects.get(code="sso.saml.response").data["status"] == "invalid_name_id_policy"
