"""Registering a client is checked: load_setup refuses a wrong `config:` (file, line, field),
`manage.py check` reports one already in the database, relative files resolve beside the
set-up file, and an edited SAML metadata file takes effect without a restart."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from institutions.loader import SetupError, load
from institutions.models import Client
from sso.protocols.saml import idp as saml

from . import saml_sp

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.GUICHET_SETUP_FILE).read_text()
METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://sp.example.org/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""


def _with_client(tmp_path: Path, entry: str) -> Path:
    """The shipped file with `entry` added as the last item of its `clients:` list."""
    lines = SHIPPED.splitlines(keepends=True)
    start = lines.index("clients:\n")
    end = next(
        (n for n in range(start + 1, len(lines)) if lines[n][:1] not in (" ", "\n", "")),
        len(lines),
    )
    path = tmp_path / "setup.yaml"
    path.write_text("".join(lines[:end]) + entry + "".join(lines[end:]))
    return path


def _line_of(path: Path, text: str) -> int:
    """The last line holding `text`: the entry under test comes after the shipped clients."""
    return [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line][-1]


def _refused(path: Path) -> SetupError:
    with pytest.raises(SetupError) as refused:
        load(path)
    return refused.value


CAS = """  - slug: app
    name: App
    protocol: cas
    config:
"""


def test_an_unknown_key_is_named_with_its_file_and_line(tmp_path):
    path = _with_client(tmp_path, CAS + '      servce_patterns: ["^https://app\\\\.example\\\\.org/"]\n')
    error = _refused(path)
    assert error.path == path and error.line == _line_of(path, "servce_patterns")
    assert error.field.endswith("config.servce_patterns") and "clé inconnue" in str(error)
    assert not Client.objects.filter(slug="app").exists()  # the load changed nothing


def test_a_malformed_pattern_is_refused(tmp_path):
    path = _with_client(tmp_path, CAS + '      service_patterns: ["^https://app.example.org/(unclosed"]\n')
    error = _refused(path)
    assert error.line == _line_of(path, "(unclosed") and error.field.endswith("config.service_patterns")
    assert "illisible" in str(error)


def test_an_unanchored_pattern_is_refused(tmp_path):
    error = _refused(_with_client(tmp_path, CAS + '      service_patterns: ["https://app.example.org/"]\n'))
    assert "non ancrée" in str(error)


def test_a_malformed_reply_url_is_refused(tmp_path):
    entry = """  - slug: owa2
    name: OWA
    protocol: wsfed
    config:
      realm: urn:owa
      reply_urls: ["webmail.example.org/owa/"]
"""
    path = _with_client(tmp_path, entry)
    error = _refused(path)
    assert error.line == _line_of(path, "reply_urls") and "adresse http(s) complète" in str(error)


def test_a_missing_metadata_file_is_named(tmp_path):
    path = _with_client(
        tmp_path, "  - slug: sp\n    name: SP\n    protocol: saml\n    config:\n      metadata_file: sp.xml\n"
    )
    error = _refused(path)
    assert error.line == _line_of(path, "metadata_file") and str(tmp_path / "sp.xml") in str(error)


def test_an_unparseable_metadata_file_is_named_with_its_line(tmp_path):
    (tmp_path / "sp.xml").write_text("<md:EntityDescriptor>\n  <unclosed>\n")
    path = _with_client(
        tmp_path, "  - slug: sp\n    name: SP\n    protocol: saml\n    config:\n      metadata_file: sp.xml\n"
    )
    error = _refused(path)
    assert "sp.xml, ligne" in str(error) and "XML invalide" in str(error)


def test_a_relative_metadata_file_resolves_beside_the_set_up_file(tmp_path):
    (tmp_path / "sp.xml").write_text(METADATA.format(entity="https://sp.example.org/"))
    path = _with_client(
        tmp_path, "  - slug: sp\n    name: SP\n    protocol: saml\n    config:\n      metadata_file: sp.xml\n"
    )
    load(path)
    assert Client.objects.get(slug="sp").config["metadata_file"] == str((tmp_path / "sp.xml").resolve())


def test_an_edited_metadata_file_takes_effect_without_a_restart(tmp_path, settings):
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = saml_sp.keypair("registry-idp")
    saml.forget()
    metadata = tmp_path / "sp.xml"
    metadata.write_text(METADATA.format(entity="https://old.example.org/"))
    load(
        _with_client(
            tmp_path, "  - slug: sp\n    name: SP\n    protocol: saml\n    config:\n      metadata_file: sp.xml\n"
        )
    )
    request = RequestFactory().get("/saml/metadata")
    assert "https://old.example.org/" in saml.idp(request).providers
    metadata.write_text(METADATA.format(entity="https://new.example.org/") + "\n")
    providers = saml.idp(request).providers
    assert "https://new.example.org/" in providers and "https://old.example.org/" not in providers
    saml.forget()


def test_manage_py_check_reports_a_wrong_client_in_the_database(poitiers):
    Client.objects.create(
        slug="broken", name="Cassé", protocol="wsfed", config={"realm": "urn:x", "reply_urls": ["ftp://x"]}
    )
    with pytest.raises(SystemCheckError) as reported:
        call_command("check")
    assert "sso.E001" in str(reported.value) and "broken" in str(reported.value)


def test_the_shipped_set_up_passes_every_rule(poitiers):
    from sso.checks import client_registry

    # The registry's own rules; the shipped Zimbra client's key is the deployment's to give (E014).
    assert client_registry(None) == []


def test_registry_and_set_up_messages_are_translated_for_english_speaking_operators(tmp_path):
    from django.utils import translation

    from sso import events, registry

    with translation.override("en"):
        found = dict(registry.problems("wsfed", {"realm": "", "reply_urls": ["http://owa"], "tokn": 1}, tmp_path))
        label = str(events.LABELS[events.LOGOUT_NOT_NOTIFIED])
    assert found["realm"] == "the realm (wtrealm) is expected"
    assert found["reply_urls"] == "“http://owa” must use https"
    assert found["tokn"].startswith("unknown key (expected: ")
    assert label == "Service not told of the logout (its protocol offers no way)"
    with translation.override("fr"):
        assert dict(registry.problems("wsfed", {"realm": ""}, tmp_path))["realm"] == "le realm (wtrealm) est attendu"
