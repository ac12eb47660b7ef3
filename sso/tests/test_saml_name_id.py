"""SAML NameID formats a federation needs, read by a pysaml2 service provider: email (the
default), persistent (stable per SP, unlinkable across SPs, or a directory attribute such as
the immutable ID Exchange Online federation matches) and transient (new each time)."""

import base64

import pytest
from saml2.response import StatusInvalidNameidPolicy
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

from accounts.directories.ldap import LdapDirectory
from audit.models import Event
from sso.models import ImmutableId, SignOn
from sso.protocols.saml import idp as saml

from . import saml_sp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    yield
    saml.forget()


def _answer(client, sp, fmt):
    request_id, url = sp.redirect_request(nameid_format=fmt)
    _action, fields = saml_sp.form(client.get(url))
    return sp.read_response(fields, request_id)


def _sp(client, entity=saml_sp.ENTITY, slug="test-sp", **config):
    sp = saml_sp.ServiceProvider(entity)
    sp.register(slug=slug, **config)
    return sp.connect(client)


def test_persistent_is_stable_per_sp_and_differs_between_sps(client, nurse):
    sp = _sp(client, name_id_format="persistent")
    other = _sp(client, "https://other-sp.example.org/", slug="other-sp", name_id_format="persistent")
    saml_sp.sign_in(client, nurse.identifier)
    first = _answer(client, sp, NAMEID_FORMAT_PERSISTENT).name_id
    client.post("/logout/")
    saml_sp.sign_in(client, nurse.identifier)
    again = _answer(client, sp, NAMEID_FORMAT_PERSISTENT).name_id
    elsewhere = _answer(client, other, NAMEID_FORMAT_PERSISTENT).name_id
    assert first.format == NAMEID_FORMAT_PERSISTENT and first.text == again.text
    assert first.text != elsewhere.text and nurse.identifier not in first.text


def test_transient_is_new_at_every_sign_in(client, nurse):
    sp = _sp(client)
    saml_sp.sign_in(client, nurse.identifier)
    one = _answer(client, sp, NAMEID_FORMAT_TRANSIENT).name_id
    two = _answer(client, sp, NAMEID_FORMAT_TRANSIENT).name_id
    assert one.format == two.format == NAMEID_FORMAT_TRANSIENT and one.text != two.text


def test_an_sp_logout_with_its_persistent_name_id_ends_the_session(client, nurse):
    sp = _sp(client, name_id_format="persistent")
    saml_sp.sign_in(client, nurse.identifier)
    answer = _answer(client, sp, NAMEID_FORMAT_PERSISTENT)
    session_index = answer.assertion.authn_statement[0].session_index
    _id, url = saml_sp.logout_request(sp, answer.name_id, session_index)
    client.get(url)
    assert client.get("/services/").status_code == 302
    assert SignOn.objects.filter(ended_at__isnull=False).exists()


def test_a_persistent_name_id_from_a_missing_directory_attribute_is_an_error_not_a_guess(client, nurse):
    # The database directory has no security identifier: InvalidNameIDPolicy, no identity.
    sp = _sp(client, name_id_format="persistent", name_id_attribute="sid")
    saml_sp.sign_in(client, nurse.identifier)
    with pytest.raises(StatusInvalidNameidPolicy):
        _answer(client, sp, NAMEID_FORMAT_PERSISTENT)


def test_the_immutable_id_is_read_from_the_directory_as_entra_id_wants_it(nurse):
    guid = bytes(range(16))
    entry = LdapDirectory(nurse.institution, url="ldap://unused")._entry(
        {"mail": ["infirmiere@chu-poitiers.fr"], "objectGUID": [guid]}, "infirmiere@chu-poitiers.fr"
    )
    assert entry.immutable_id == "AAECAwQFBgcICQoLDA0ODw=="


def test_a_database_account_gets_a_stable_immutable_id_without_ldap(client, nurse):
    """Exchange Online federation without a directory: 16 random bytes, base64, kept by sso."""
    sp = _sp(client, name_id_format="persistent", name_id_attribute="immutable_id")
    saml_sp.sign_in(client, nurse.identifier)
    first = _answer(client, sp, NAMEID_FORMAT_PERSISTENT).name_id
    client.post("/logout/")
    saml_sp.sign_in(client, nurse.identifier)
    again = _answer(client, sp, NAMEID_FORMAT_PERSISTENT).name_id
    assert first.format == NAMEID_FORMAT_PERSISTENT and first.text == again.text
    assert len(base64.b64decode(first.text, validate=True)) == 16
    assert ImmutableId.objects.get(account=nurse).value == first.text
    assert Event.objects.filter(code="sso.immutable_id.given", subject=nurse).count() == 1
