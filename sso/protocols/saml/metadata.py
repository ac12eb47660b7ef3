"""SAML service-provider metadata published at a URL (`metadata_url`), as federations do:
fetched, its signature checked against `metadata_certificate` when one is configured, kept
in a file under VAR_DIR, and refreshed every hour by the worker (sso.tasks) or by
`manage.py refresh_saml_metadata`. A fetch that fails or does not verify keeps the last good
copy: a federation's bad hour never removes a working service provider."""

import logging
import os
from pathlib import Path

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from signxml.exceptions import InvalidSignature
from signxml.verifier import XMLVerifier

from institutions.models import Client

logger = logging.getLogger(__name__)
FETCH_TIMEOUT = 10


class MetadataRefused(Exception):
    pass


def cache_path(client: Client) -> Path:
    return Path(settings.VAR_DIR) / "saml" / "remote" / f"{client.slug}.xml"


def _checked(client: Client, body: bytes) -> bytes:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as error:
        raise MetadataRefused(_("XML invalide : %(error)s") % {"error": error.msg}) from None
    certificate = client.config.get("metadata_certificate")
    if certificate:
        try:
            XMLVerifier().verify(body, x509_cert=certificate, parser=parser)
        except InvalidSignature as error:
            raise MetadataRefused(_("signature refusée : %(error)s") % {"error": error}) from None
    return body


def refresh(client: Client) -> Path:
    """Fetch, check and store this client's metadata; raises MetadataRefused (last copy kept)."""
    try:
        answer = requests.get(client.config["metadata_url"], timeout=FETCH_TIMEOUT)
        answer.raise_for_status()
    except requests.RequestException as error:
        raise MetadataRefused(_("téléchargement impossible : %(error)s") % {"error": type(error).__name__}) from None
    body = _checked(client, answer.content)
    path = cache_path(client)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(body)
    os.replace(partial, path)  # readers see the old file or the new one, never half of one
    return path


def refresh_all() -> dict[str, str]:
    """Every `metadata_url` client: slug → "ok" or why not (logged)."""
    results = {}
    for client in Client.objects.filter(protocol="saml", config__has_key="metadata_url"):
        try:
            refresh(client)
        except MetadataRefused as error:
            logger.error("SAML metadata of %s not refreshed: %s", client.slug, error)
            results[client.slug] = str(error)
        else:
            results[client.slug] = "ok"
    return results


def current(client: Client) -> str:
    """The last good copy; fetched now if there is none yet."""
    path = cache_path(client)
    if not path.exists():
        refresh(client)
    return path.read_text()
