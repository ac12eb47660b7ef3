"""SAML 2.0 identity provider: pysaml2, set up in code from settings and the Client rows.

pysaml2 signs and checks signatures with the xmlsec1 command (Debian `xmlsec1`). Building
its server parses every service provider's metadata, so one is kept per process for each
set-up revision. The views (views.py) hand raw parameters here and get back what to
send; this module never looks at who is signed in.
"""

import base64
import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, BINDING_SOAP, md, samlp, xmldsig
from saml2.attribute_converter import AttributeConverter
from saml2.attributemaps import saml_uri
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED
from saml2.server import Server
from saml2.sigver import RSA_OAEP_MGF1P, SigverError, get_pem_wrapped_unwrapped, get_xmlsec_binary, pre_encryption_part

from institutions.models import Client, Revision

from .keys import problem as key_problem

logger = logging.getLogger(__name__)

SIGN_ALG = xmldsig.SIG_RSA_SHA256
DIGEST_ALG = xmldsig.DIGEST_SHA256
NAMEID_FORMATS = [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED]
# What Guichet may release, by the names service providers list in Client.config["attributes"].
# Standard attributes keep pysaml2's names (urn:oid:…); the two Guichet facts have no
# standard name, so they get their own URN. FriendlyName carries the short name in all cases.
ATTRIBUTE_NAMES = {
    "mail": saml_uri.MAP["to"]["mail"],
    "displayName": saml_uri.MAP["to"]["displayName"],
    "eduPersonAffiliation": saml_uri.MAP["to"]["eduPersonAffiliation"],
    "institution": "urn:guichet:attribute:institution",
    "platform": "urn:guichet:attribute:platform",
}


# --- The IdP's key pair ------------------------------------------------------------------


def keypair() -> tuple[str, str]:
    """Paths of the IdP's private key and certificate: given by the environment, or under var/saml/.

    They are made by `manage.py generate_keys`, never here: a pair that went missing would
    otherwise be replaced behind the service providers' backs (they trust this very key).
    """
    key, cert = settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE
    if key or cert:
        if not (key and cert and Path(key).is_file() and Path(cert).is_file()):
            raise ImproperlyConfigured("GUICHET_SAML_KEY_FILE and GUICHET_SAML_CERT_FILE must both name files")
        return key, cert
    folder = Path(settings.VAR_DIR) / "saml"
    key_path, cert_path = folder / "idp.key", folder / "idp.crt"
    if not (key_path.is_file() and cert_path.is_file()):
        raise ImproperlyConfigured(f"no SAML key pair in {folder}: run `manage.py generate_keys`")
    return str(key_path), str(cert_path)


# --- Service providers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceProvider:
    client_id: int
    slug: str
    entity_id: str
    acs_urls: tuple[str, ...]  # the registered ones: a request naming another is refused
    acs_indexes: tuple[tuple[str, str], ...]  # (index, URL) of the HTTP-POST ones in its metadata
    signs: bool  # has a signing certificate, so its requests must be signed
    front_logout: bool  # has an HTTP-Redirect or HTTP-POST single logout end point
    soap_logout: str  # its SOAP single logout end point, or ""
    redirect_logout: str = ""  # its HTTP-Redirect single logout end point, or ""
    post_logout: str = ""  # its HTTP-POST single logout end point, or ""


def sp_metadata(config: dict[str, Any]) -> str:
    """The SP's metadata: given inline, in a file, or written from entity_id, acs_url… ."""
    if config.get("metadata"):
        return str(config["metadata"])
    if config.get("metadata_file"):
        path = Path(config["metadata_file"])
        if not path.is_absolute():  # beside the set-up file that names it
            path = Path(settings.GUICHET_SETUP_FILE).parent / path
        return path.read_text()
    descriptor = md.SPSSODescriptor(
        protocol_support_enumeration=samlp.NAMESPACE,
        authn_requests_signed="true" if config.get("certificate") else "false",
        assertion_consumer_service=[
            md.AssertionConsumerService(binding=BINDING_HTTP_POST, location=config["acs_url"], index="0")
        ],
        name_id_format=[md.NameIDFormat(text=NAMEID_FORMAT_EMAILADDRESS)],
    )
    if config.get("slo_url"):
        descriptor.single_logout_service = [
            md.SingleLogoutService(binding=binding, location=config["slo_url"])
            for binding in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST)
        ]
    if config.get("slo_soap_url"):
        descriptor.single_logout_service.append(
            md.SingleLogoutService(binding=BINDING_SOAP, location=config["slo_soap_url"])
        )
    if config.get("certificate"):
        der = x509.load_pem_x509_certificate(config["certificate"].encode()).public_bytes(serialization.Encoding.DER)
        descriptor.key_descriptor = [
            md.KeyDescriptor(
                use="signing",
                key_info=xmldsig.KeyInfo(
                    x509_data=[
                        xmldsig.X509Data(x509_certificate=xmldsig.X509Certificate(text=base64.b64encode(der).decode()))
                    ]
                ),
            )
        ]
    return str(md.EntityDescriptor(entity_id=config["entity_id"], spsso_descriptor=[descriptor]))


def _register(metadata: Any, client: Client) -> ServiceProvider:
    if client.config.get("metadata_url"):
        from . import metadata as remote  # fetched, checked and cached: sso/protocols/saml/metadata.py

        metadata.load("inline", remote.current(client))
    else:
        metadata.load("inline", sp_metadata(client.config))
    loaded = list(metadata.metadata[metadata.ii].keys())
    entity_id = client.config.get("entity_id") or (loaded[0] if len(loaded) == 1 else "")
    if entity_id not in loaded:
        raise ImproperlyConfigured(f"entity_id {entity_id!r} is not in its metadata")
    # Read from the descriptor: pysaml2's look-ups log an error for every binding not offered.
    services: dict[str, list[dict[str, Any]]] = {}
    for descriptor in metadata[entity_id].get("spsso_descriptor", []):
        for kind in ("assertion_consumer_service", "single_logout_service"):
            for service in descriptor.get(kind, []):
                services.setdefault(f"{kind} {service['binding']}", []).append(service)
    posted = services.get(f"assertion_consumer_service {BINDING_HTTP_POST}", [])
    acs_urls = [client.config["acs_url"]] if client.config.get("acs_url") else [s["location"] for s in posted]
    if not acs_urls:
        raise ImproperlyConfigured("no HTTP-POST assertion consumer service")

    def logout(binding: str) -> list[str]:
        return [s["location"] for s in services.get(f"single_logout_service {binding}", [])]

    return ServiceProvider(
        client_id=client.pk,
        slug=client.slug,
        entity_id=entity_id,
        acs_urls=tuple(acs_urls),
        acs_indexes=tuple((s.get("index", ""), s["location"]) for s in posted),
        signs=bool(metadata.certs(entity_id, "spsso", "signing")),
        front_logout=bool(logout(BINDING_HTTP_REDIRECT) or logout(BINDING_HTTP_POST)),
        soap_logout=next(iter(logout(BINDING_SOAP)), ""),
        redirect_logout=next(iter(logout(BINDING_HTTP_REDIRECT)), ""),
        post_logout=next(iter(logout(BINDING_HTTP_POST)), ""),
    )


# --- The pysaml2 server, one per process and set-up revision ------------------------------


AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"


def encrypts_for(provider_entity_id: str, metadata: Any) -> bool:
    """Does this SP's metadata offer an encryption key? Then its assertions are encrypted."""
    return bool(metadata.certs(provider_entity_id, "any", "encryption"))


class _Server(Server):  # type: ignore[misc]  # pysaml2 ships no types
    # pysaml2 keeps every assertion it makes in memory to answer AssertionIDRequest and
    # AuthnQuery. Guichet serves neither; in a long-lived worker that store only grows.
    def support_AssertionIDRequest(self) -> bool:
        return False

    def support_AuthnQuery(self) -> bool:
        return False

    # Assertions for an SP whose metadata has an encryption key: AES-256-GCM content, the
    # session key wrapped with RSA-OAEP (pysaml2's default would be 3DES-CBC).
    def _encrypt_assertion(
        self, encrypt_cert: str | None, sp_entity_id: str, response: Any, node_xpath: str | None = None
    ) -> Any:
        certs = [(None, encrypt_cert)] if encrypt_cert else self.metadata.certs(sp_entity_id, "any", "encryption")
        if not certs:
            raise ImproperlyConfigured(f"{sp_entity_id} has no encryption certificate")
        name, cert = certs[0]
        wrapped, unwrapped = get_pem_wrapped_unwrapped(cert)
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as pem:
            pem.write(wrapped)
            pem.flush()
            template = pre_encryption_part(
                msg_enc=AES256_GCM, key_enc=RSA_OAEP_MGF1P, key_name=name, encrypt_cert=unwrapped
            )
            return self.sec.encrypt_assertion(response, pem.name, template, key_type="aes-256", node_xpath=node_xpath)


@dataclass(frozen=True)
class Idp:
    server: Server
    metadata: str  # signed EntityDescriptor served at /saml/metadata
    providers: dict[str, ServiceProvider]  # by entity ID


_built: dict[tuple[object, ...], Idp] = {}
_lock = threading.Lock()


def base_url(request: HttpRequest) -> str:
    return settings.GUICHET_SAML_BASE_URL.rstrip("/") or f"{request.scheme}://{request.get_host()}"


def idp(request: HttpRequest) -> Idp:
    key, cert = keypair()
    # A metadata file edited in place takes effect at the next request, without a restart.
    cache_key = (Revision.current(), base_url(request), key, cert, _metadata_files_state())
    with _lock:
        if cache_key not in _built:
            _built.clear()
            _built[cache_key] = _build(base_url(request), key, cert)
        return _built[cache_key]


def _metadata_files_state() -> tuple[tuple[str, int | None], ...]:
    state = []
    for slug, config in Client.objects.filter(protocol="saml").values_list("slug", "config"):
        if config.get("metadata_file"):
            path = Path(config["metadata_file"])
            path = path if path.is_absolute() else Path(settings.GUICHET_SETUP_FILE).parent / path
        elif config.get("metadata_url"):  # the copy sso.protocols.saml.metadata keeps
            path = Path(settings.VAR_DIR) / "saml" / "remote" / f"{slug}.xml"
        else:
            continue
        state.append((str(path), path.stat().st_mtime_ns if path.exists() else None))
    return tuple(sorted(state))


def forget() -> None:
    """Drop the built server (tests, key rotation); the next request builds a new one."""
    with _lock:
        _built.clear()


def _converter() -> AttributeConverter:
    converter = AttributeConverter(NAME_FORMAT_URI)
    converter.from_dict({"identifier": NAME_FORMAT_URI, "to": ATTRIBUTE_NAMES})
    return converter


# Where pysaml2 looks for xmlsec1 besides PATH (Debian installs it in /usr/bin).
XMLSEC_DIRS = ["/usr/bin"]


def xmlsec_binary() -> str | None:
    """The xmlsec1 program pysaml2 signs with, or None when it is not installed."""
    try:
        found: str = get_xmlsec_binary(XMLSEC_DIRS)
        return found
    except SigverError:
        return None


def _build(base: str, key: str, cert: str) -> Idp:
    def url(name: str) -> str:
        return base + reverse(name)

    # Both raise ImproperlyConfigured: the page says « momentanément indisponible » (503).
    binary = xmlsec_binary()
    if binary is None:
        raise ImproperlyConfigured("xmlsec1 is not installed (Debian package xmlsec1)")
    if problem := key_problem(Path(key), Path(cert)):
        raise ImproperlyConfigured(f"SAML key pair: {problem}")

    config = IdPConfig().load(
        {
            "entityid": url("saml-metadata"),
            "xmlsec_binary": binary,
            "key_file": key,
            "cert_file": cert,
            "accepted_time_diff": 60,
            "metadata": {"inline": []},
            "http_client_timeout": settings.GUICHET_SAML_LOGOUT_TIMEOUT,
            "service": {
                "idp": {
                    "name": settings.GUICHET_SITE_NAME,
                    "endpoints": {
                        "single_sign_on_service": [
                            (url("saml-sso"), BINDING_HTTP_REDIRECT),
                            (url("saml-sso-post"), BINDING_HTTP_POST),
                        ],
                        "single_logout_service": [
                            (url("saml-slo"), BINDING_HTTP_REDIRECT),
                            (url("saml-slo-post"), BINDING_HTTP_POST),
                        ],
                    },
                    "name_id_format": NAMEID_FORMATS,
                    # Decided per service provider (see ServiceProvider.signs), not for all.
                    "want_authn_requests_signed": False,
                    "sign_response": True,
                    "sign_assertion": True,
                    "signing_algorithm": SIGN_ALG,
                    "digest_algorithm": DIGEST_ALG,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                },
            },
        }
    )
    config.attribute_converters = [_converter(), *config.attribute_converters]
    providers = {}
    for client in Client.objects.filter(protocol="saml").order_by("pk"):
        try:
            provider = _register(config.metadata, client)
        except Exception as error:  # one wrong entry must not take the others down
            logger.error("SAML service provider %s left out: %s", client.slug, error)
            continue
        if provider.entity_id in providers:
            logger.error("SAML service provider %s left out: entity ID already registered", client.slug)
            continue
        providers[provider.entity_id] = provider
    server = _Server(config=config)
    _id, metadata = sign_entity_descriptor(entity_descriptor(config), None, server.sec, SIGN_ALG, DIGEST_ALG)
    return Idp(server=server, metadata=str(metadata), providers=providers)
