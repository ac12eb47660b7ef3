"""The identity provider's key pair, its metadata, and the per-revision server cache."""

import base64
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import RequestFactory
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md
from saml2.config import SPConfig
from saml2.sigver import security_context

from institutions.models import Client
from sso.protocols.saml import idp as saml

from . import saml_sp
from .saml_sp import ServiceProvider


@pytest.fixture(autouse=True)
def fresh():
    saml.forget()
    yield
    saml.forget()


@pytest.fixture
def idp_keys(settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")


def test_the_key_pair_is_made_once_into_var_dir_by_generate_keys(settings, tmp_path):
    settings.VAR_DIR, settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = tmp_path, "", ""
    with pytest.raises(ImproperlyConfigured, match="generate_keys"):
        saml.keypair()  # never made behind the service providers' backs
    call_command("generate_keys")
    key_file, cert_file = saml.keypair()
    assert (key_file, cert_file) == (str(tmp_path / "saml" / "idp.key"), str(tmp_path / "saml" / "idp.crt"))
    assert stat.S_IMODE(Path(key_file).stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072
    assert cert.public_key() == key.public_key()
    assert cert.issuer == cert.subject and cert.signature_hash_algorithm.name == "sha256"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc >= timedelta(days=3652)

    before = Path(key_file).read_bytes()
    call_command("generate_keys")
    assert saml.keypair() == (key_file, cert_file)
    assert Path(key_file).read_bytes() == before  # never regenerated behind the SPs' backs


def test_key_files_from_the_environment_win(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    assert saml.keypair() == saml_sp.keypair("idp")
    assert not (tmp_path / "saml").exists()
    settings.GUICHET_SAML_CERT_FILE = ""
    with pytest.raises(ImproperlyConfigured):
        saml.keypair()


def test_the_metadata_describes_and_signs_the_identity_provider(client, poitiers, idp_keys):
    response = client.get("/saml/metadata")
    assert response.status_code == 200 and response["Content-Type"] == "application/samlmetadata+xml"
    xml = response.content.decode()
    entity = md.entity_descriptor_from_string(xml)
    assert entity.entity_id == "http://testserver/saml/metadata"
    idp = entity.idpsso_descriptor[0]
    assert {(s.binding, s.location) for s in idp.single_sign_on_service} == {
        (BINDING_HTTP_REDIRECT, "http://testserver/saml/sso/redirect"),
        (BINDING_HTTP_POST, "http://testserver/saml/sso/post"),
    }
    assert {s.location for s in idp.single_logout_service} == {
        "http://testserver/saml/slo/redirect",
        "http://testserver/saml/slo/post",
    }
    assert "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in [f.text for f in idp.name_id_format]
    published = idp.key_descriptor[0].key_info.x509_data[0].x509_certificate.text
    cert = x509.load_pem_x509_certificate(Path(saml_sp.keypair("idp")[1]).read_bytes())
    assert base64.b64decode(published) == cert.public_bytes(serialization.Encoding.DER)
    assert entity.signature.signed_info.signature_method.algorithm.endswith("rsa-sha256")
    checker = security_context(SPConfig().load(saml_sp.sp_settings(*ServiceProvider().args)))
    entity_tag = f"{md.NAMESPACE}:EntityDescriptor"
    assert checker.verify_signature(xml, saml_sp.keypair("idp")[1], node_name=entity_tag)
    assert client.get("/en/saml/metadata").status_code == 404  # one URL for every language


def test_the_base_url_setting_fixes_the_entity_id(client, poitiers, idp_keys, settings):
    settings.GUICHET_SAML_BASE_URL = "https://guichet.example.org/"
    entity = md.entity_descriptor_from_string(client.get("/saml/metadata").content.decode())
    assert entity.entity_id == "https://guichet.example.org/saml/metadata"


def test_the_server_is_built_once_per_set_up_revision(poitiers, idp_keys):
    request = RequestFactory().get("/saml/metadata")
    first = saml.idp(request)
    assert saml.idp(request) is first
    ServiceProvider().register()  # any change to the set-up bumps the revision
    second = saml.idp(request)
    assert second is not first and saml_sp.ENTITY in second.providers


def test_a_broken_entry_is_left_out_and_the_others_still_work(client, poitiers, idp_keys):
    Client.objects.create(slug="broken", name="Cassé", protocol="saml", config={"metadata": "<not-xml"})
    Client.objects.create(slug="no-acs", name="Sans ACS", protocol="saml", config={"entity_id": "https://x.example"})
    sp = ServiceProvider()
    sp.register()
    providers = saml.idp(RequestFactory().get("/")).providers
    assert set(providers) == {saml_sp.ENTITY}
    sp.connect(client)
    _id, url = sp.redirect_request()
    assert client.get(url).status_code == 302  # on to the sign-in page
