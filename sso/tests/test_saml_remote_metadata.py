"""SP metadata from a URL, as federations publish it: fetched, its signature checked, kept,
refreshed on a schedule; a bad fetch or a bad signature keeps the last good copy."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from lxml import etree
from signxml import XMLSigner

from sso import tasks
from sso.protocols.saml import idp as saml
from sso.protocols.saml import metadata as saml_remote

from . import saml_sp

pytestmark = pytest.mark.django_db


class _Published(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/samlmetadata+xml")
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args):
        pass


@pytest.fixture
def federation(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("idp")
    saml.forget()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Published)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sp.xml"
    server.shutdown()
    server.server_close()
    saml.forget()


def _signed(entity_id: str) -> bytes:
    key, cert = saml_sp.keypair("federation")
    root = etree.fromstring(saml_sp.ServiceProvider(entity_id).metadata().encode())
    signed = XMLSigner().sign(root, key=Path(key).read_bytes(), cert=Path(cert).read_bytes())
    return etree.tostring(signed)


def _register(url: str):
    _key, cert = saml_sp.keypair("federation")
    sp = saml_sp.ServiceProvider()
    config = {"metadata_url": url, "metadata_certificate": Path(cert).read_text()}
    return sp.register(metadata=None, entity_id=None, acs_url=None, **config)


def _providers():
    return saml.idp(RequestFactory().get("/saml/metadata")).providers


def test_metadata_from_a_url_is_fetched_checked_and_used(poitiers, federation):
    _Published.body = _signed(saml_sp.ENTITY)
    client = _register(federation)
    assert saml_sp.ENTITY in _providers()
    assert saml_remote.cache_path(client).exists()


def test_a_tampered_document_is_refused_and_the_last_good_copy_kept(poitiers, federation):
    _Published.body = _signed(saml_sp.ENTITY)
    client = _register(federation)
    saml_remote.refresh(client)
    good = saml_remote.cache_path(client).read_bytes()
    _Published.body = good.replace(saml_sp.ACS.encode(), b"https://evil.example/acs")
    assert _Published.body != good
    with pytest.raises(saml_remote.MetadataRefused, match="signature"):
        saml_remote.refresh(client)
    assert saml_remote.cache_path(client).read_bytes() == good
    assert tasks.refresh_saml_metadata.call_local()[client.slug].startswith("signature")


def test_the_scheduled_refresh_picks_up_a_change(poitiers, federation, capsys):
    _Published.body = _signed(saml_sp.ENTITY)
    _register(federation)
    assert saml_sp.ENTITY in _providers()
    _Published.body = _signed("https://renamed-sp.example.org/")
    call_command("refresh_saml_metadata")
    assert "test-sp: ok" in capsys.readouterr().out
    assert "https://renamed-sp.example.org/" in _providers()
