"""Assertions encrypted for a service provider whose metadata has an encryption key
(AES-256-GCM, the key wrapped with RSA-OAEP), decrypted and checked by a pysaml2 SP."""

import base64

import pytest

from sso.protocols.saml import idp as saml

from . import saml_sp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    yield
    saml.forget()


def _round(client, sp):
    saml_sp.sign_in(client, "infirmiere@chu-poitiers.fr")
    request_id, url = sp.redirect_request()
    _action, fields = saml_sp.form(client.get(url))
    return fields, request_id


def test_an_sp_with_an_encryption_key_gets_an_encrypted_assertion_it_can_read(client, nurse):
    sp = saml_sp.ServiceProvider(encrypts=True)
    sp.register()
    sp.connect(client)
    fields, request_id = _round(client, sp)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in xml and "infirmiere@chu-poitiers.fr" not in xml
    assert 'Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"' in xml
    assert 'Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"' in xml
    answer = sp.read_response(fields, request_id)
    assert answer.name_id.text == "infirmiere@chu-poitiers.fr"
    assert answer.ava["displayName"] == ["Claire Dubois"]


def test_an_sp_without_one_gets_a_signed_assertion_in_clear(client, nurse):
    sp = saml_sp.ServiceProvider()
    sp.register()
    sp.connect(client)
    fields, request_id = _round(client, sp)
    assert "EncryptedAssertion" not in base64.b64decode(fields["SAMLResponse"]).decode()
    assert sp.read_response(fields, request_id).name_id.text == "infirmiere@chu-poitiers.fr"
