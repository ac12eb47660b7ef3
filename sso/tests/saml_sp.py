"""A SAML service provider for the tests: pysaml2's Saml2Client with its own configuration
and key pair, made here. Guichet's code is only on the other side of the wire."""

import base64
import functools
import re
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from accounts.models import Account
from institutions.models import Client, Public
from sso.protocols.saml.keys import generate_keypair
from testing.personas import PASSWORD

IDP = "http://testserver/saml/metadata"
ENTITY = "https://sp.example.org/saml"
ACS = "https://sp.example.org/saml/acs"
SLO = "https://sp.example.org/saml/slo"
_folder = tempfile.TemporaryDirectory(prefix="guichet-saml-tests-")


@functools.cache
def keypair(name: str) -> tuple[str, str]:
    """A key and self-signed certificate, made once per test run and name."""
    key, cert = Path(_folder.name) / f"{name}.key", Path(_folder.name) / f"{name}.crt"
    generate_keypair(key, cert, name)
    return str(key), str(cert)


def person(public_slug: str, identifier: str, **fields) -> Account:
    public = Public.objects.get(slug=public_slug)
    return Account.objects.create_user(
        identifier, PASSWORD, institution=public.institution, public=public, platform=public.platform, **fields
    )


def sign_in(client, identifier: str, next_url: str = ""):
    return client.post("/login/", {"identifier": identifier, "password": PASSWORD, "next": next_url})


def form(response) -> tuple[str, dict[str, str]]:
    """The action and fields of the HTTP-POST binding page, as a browser would send them."""
    html = response.content.decode()
    action = unescape(re.search(r'<form method="post" action="([^"]+)" data-autosubmit>', html).group(1))
    fields = {
        unescape(n): unescape(v) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    }
    return action, fields


def next_of(to_login) -> str:
    """Where the sign-in page will send the person back."""
    return parse_qs(urlsplit(to_login["Location"]).query)["next"][0]


def local(url: str) -> str:
    """A Guichet URL as the test client wants it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sp_settings(entity_id, acs, soap_logout, key_name, signs, encrypts=False, post_logout_only=False) -> dict:
    key_file, cert_file = keypair(key_name)
    logout = (
        [(SLO, BINDING_HTTP_POST)] if post_logout_only else [(SLO, BINDING_HTTP_REDIRECT), (SLO, BINDING_HTTP_POST)]
    )
    if soap_logout:
        logout.append((soap_logout, BINDING_SOAP))
    encryption = {"encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}]} if encrypts else {}
    return {
        **encryption,
        "entityid": entity_id,
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin"]),
        "key_file": key_file,
        "cert_file": cert_file,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
                    "single_logout_service": logout,
                },
                "authn_requests_signed": signs,
                "logout_requests_signed": signs,
                "want_response_signed": True,
                "want_assertions_signed": True,
                "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
                "name_id_policy_format": NAMEID_FORMAT_EMAILADDRESS,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }


@functools.cache
def _metadata(*args) -> str:
    return create_metadata_string(None, SPConfig().load(sp_settings(*args))).decode()


class ServiceProvider:
    def __init__(
        self,
        entity_id=ENTITY,
        *,
        acs=ACS,
        soap_logout="",
        key_name="sp",
        signs=True,
        encrypts=False,
        post_logout_only=False,
    ):
        self.entity_id, self.acs = entity_id, acs
        self.args = (entity_id, acs, soap_logout, key_name, signs, encrypts, post_logout_only)
        self.settings = sp_settings(*self.args)
        self.key_file, self.cert_file = keypair(key_name)
        self.saml = None

    def metadata(self) -> str:
        return _metadata(*self.args)

    def register(self, publics=("chu",), attributes=("mail", "displayName"), slug="test-sp", **config) -> Client:
        """A Client row for this SP, with its metadata inline unless `config` says otherwise."""
        config = {"entity_id": self.entity_id, "acs_url": self.acs, "metadata": self.metadata(), **config}
        config = {key: value for key, value in config.items() if value is not None}
        client = Client.objects.create(
            slug=slug, name="Messagerie de test", protocol="saml", config={**config, "attributes": list(attributes)}
        )
        client.publics.set(Public.objects.filter(slug__in=publics))
        return client

    def connect(self, django_client) -> "ServiceProvider":
        """Trust Guichet as published at /saml/metadata (its signing certificate included)."""
        metadata = django_client.get("/saml/metadata").content.decode()
        self.saml = Saml2Client(SPConfig().load({**self.settings, "metadata": {"inline": [metadata]}}))
        return self

    def redirect_request(self, relay_state: str = "back-to-inbox", **kwargs) -> tuple[str, str]:
        request_id, info = self.saml.prepare_for_authenticate(
            entityid=IDP, relay_state=relay_state, binding=BINDING_HTTP_REDIRECT, sigalg=SIG_RSA_SHA256, **kwargs
        )
        return request_id, local(dict(info["headers"])["Location"])

    def post_request(self, relay_state: str = "back-to-inbox", **kwargs) -> tuple[str, dict[str, str]]:
        kwargs.setdefault("sign", True)
        request_id, signed = self.saml.create_authn_request(
            "http://testserver/saml/sso/post", sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, **kwargs
        )
        return request_id, {"SAMLRequest": base64.b64encode(str(signed).encode()).decode(), "RelayState": relay_state}

    def read_response(self, fields: dict[str, str], request_id: str):
        """What the SP's ACS does: check both signatures, InResponseTo, audience, times."""
        return self.saml.parse_authn_request_response(
            fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/inbox"}
        )


def sign_on(django_client, sp: ServiceProvider, identifier: str):
    """Signed in at Guichet, then one round of SSO: the SP's parsed AuthnResponse."""
    sign_in(django_client, identifier)
    request_id, url = sp.redirect_request()
    action, fields = form(django_client.get(url))
    assert action == ACS
    return sp.read_response(fields, request_id)


def logout_request(sp: ServiceProvider, name_id, session_index: str, *, binding=BINDING_HTTP_REDIRECT, sign=True):
    """The SP's LogoutRequest: (its ID, a Guichet URL for Redirect or the form fields for POST)."""
    redirect = binding == BINDING_HTTP_REDIRECT
    destination = f"http://testserver/saml/slo/{'redirect' if redirect else 'post'}"
    request_id, request = sp.saml.create_logout_request(
        destination,
        IDP,
        name_id=name_id,
        session_indexes=[session_index],
        sign=sign and not redirect,  # over HTTP-Redirect the query string is signed instead
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    if not redirect:
        return request_id, {"SAMLRequest": base64.b64encode(str(request).encode()).decode(), "RelayState": "bye"}
    info = sp.saml.apply_binding(binding, str(request), destination, "bye", sign=sign, sigalg=SIG_RSA_SHA256)
    return request_id, local(dict(info["headers"])["Location"])
