"""Start-up refuses what would fail later: missing or broken keys, missing programs, bad booleans.

Keys are made only by `manage.py generate_keys`; each check is an Error that stops
`manage.py check --fail-level ERROR` (make run) and gunicorn's workers; a request that still
reaches a protocol whose key or program is missing gets a 503 page in the person's language.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template.loader import render_to_string
from django.utils import translation

from guichet import checks, keys
from institutions.models import Client
from sso.protocols.saml import idp as saml

ROOT = Path(settings.BASE_DIR)


def _run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """A production-like Python with an empty var/ (no test keys, no database settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(GUICHET_TESTING="0", GUICHET_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="guichet.settings", **extra)
    for name in ("PYTEST_VERSION", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


# --- Keys: made on purpose, once; missing ones stop start-up ------------------------------


def test_without_keys_check_and_the_workers_refuse_then_generate_keys_makes_them_once(tmp_path):
    refused = _run(tmp_path, "manage.py", "check", "--fail-level", "ERROR")
    assert refused.returncode != 0
    for code in ("guichet.E010", "guichet.E011", "guichet.E012"):
        assert code in refused.stderr
    assert "generate_keys" in refused.stderr
    assert not (tmp_path / "secret_key").exists()  # nothing regenerated behind anyone's back

    worker = _run(tmp_path, "-c", "import guichet.wsgi")
    assert worker.returncode != 0 and "Guichet will not start" in worker.stderr

    made = _run(tmp_path, "manage.py", "generate_keys")
    assert made.returncode == 0, made.stderr
    files = [tmp_path / "secret_key", tmp_path / "oidc" / "current.pem", tmp_path / "saml" / "idp.key"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    before = [path.read_bytes() for path in files]
    assert _run(tmp_path, "manage.py", "generate_keys").stdout.strip() == "every key is already there"
    assert [path.read_bytes() for path in files] == before  # idempotent: only what is missing

    started = _run(tmp_path, "manage.py", "check", "--fail-level", "ERROR")
    assert started.returncode == 0, started.stderr
    assert _run(tmp_path, "-c", "import guichet.wsgi").returncode == 0


def test_a_lost_secret_key_is_an_error_not_a_new_key(settings):
    settings.SECRET_KEY = ""
    [error] = checks.secret_key(None)
    assert error.id == "guichet.E010" and error.is_serious()
    assert "restaurez" in error.hint


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "n'existe pas"),
        ("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----", "n'est pas une clé privée PEM"),
        ("garbage", "n'est pas une clé privée PEM"),
    ],
)
def test_a_missing_or_garbage_oidc_key_is_an_error(settings, tmp_path, content, words):
    settings.GUICHET_OIDC_KEY_FILE = tmp_path / "oidc" / "current.pem"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": content}
    [error] = checks.oidc_signing_key(None)
    assert error.id == "guichet.E011" and words in error.msg


def test_an_unreadable_oidc_key_file_is_named(settings, tmp_path):
    unreadable = tmp_path / "current.pem"
    unreadable.mkdir()  # exists, cannot be read as a file (root reads any mode, so not chmod)
    assert keys.read(unreadable) == ""
    settings.GUICHET_OIDC_KEY_FILE = unreadable
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": keys.read(unreadable)}
    [error] = checks.oidc_signing_key(None)
    assert f"{unreadable} est illisible" in error.msg


def test_the_key_checks_speak_the_operators_language(settings, tmp_path):
    settings.GUICHET_OIDC_KEY_FILE = tmp_path / "oidc" / "current.pem"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": ""}
    with translation.override("en"):
        [error] = checks.oidc_signing_key(None)
    assert (
        error.msg == f"The OpenID Connect signing key is unusable: {tmp_path / 'oidc' / 'current.pem'} does not exist."
    )
    assert error.hint.startswith("Create the missing keys with")


def test_a_garbage_or_mismatched_saml_pair_is_an_error(settings, tmp_path):
    key, cert = tmp_path / "idp.key", tmp_path / "idp.crt"
    key.write_text("garbage")
    cert.write_text(Path(settings.GUICHET_SAML_CERT_FILE).read_text())
    settings.GUICHET_SAML_KEY_FILE, settings.GUICHET_SAML_CERT_FILE = str(key), str(cert)
    [error] = checks.saml_key_pair(None)
    assert error.id == "guichet.E012" and "not a PEM private key" in error.msg

    other = tmp_path / "other"
    keys.generate(keys.KeyFiles(secret_key=None, oidc=None, saml=(other / "idp.key", other / "idp.crt")))
    settings.GUICHET_SAML_KEY_FILE = str(other / "idp.key")
    [error] = checks.saml_key_pair(None)
    assert "does not match" in error.msg


def test_generate_keys_never_replaces_and_never_completes_half_a_pair(tmp_path):
    (tmp_path / "saml").mkdir()
    (tmp_path / "saml" / "idp.key").write_text("the key the service providers trust")
    (tmp_path / "secret_key").write_text("kept")
    files = keys.KeyFiles(
        secret_key=tmp_path / "secret_key",
        oidc=None,
        saml=(tmp_path / "saml" / "idp.key", tmp_path / "saml" / "idp.crt"),
    )
    assert keys.generate(files) == []
    assert (tmp_path / "secret_key").read_text() == "kept"
    assert not (tmp_path / "saml" / "idp.crt").exists()


def test_the_test_settings_make_their_keys_with_the_same_function():
    assert Path(settings.GUICHET_SECRET_KEY_FILE).parent == Path(settings.VAR_DIR) / "test-keys"
    assert keys.read(settings.GUICHET_SECRET_KEY_FILE) == settings.SECRET_KEY
    assert checks.secret_key(None) == checks.oidc_signing_key(None) == checks.saml_key_pair(None) == []


# --- What the set-up needs: xmlsec1 for SAML, a preauth key for each Zimbra domain -------


@pytest.fixture
def no_xmlsec1(monkeypatch, tmp_path):
    """This machine without the Debian package xmlsec1: nowhere pysaml2 looks."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(saml, "XMLSEC_DIRS", [str(tmp_path)])
    saml.forget()
    yield
    saml.forget()


@pytest.mark.django_db
def test_xmlsec1_missing_is_an_error_only_with_a_saml_client(poitiers, no_xmlsec1):
    # Poitiers signs Outlook on the web in through WS-Federation (signxml); a SAML service
    # provider, as another institution would declare, needs xmlsec1.
    assert checks.saml_needs_xmlsec1(None) == []
    Client.objects.create(slug="sp-federation", name="SP", protocol="saml", config={})
    [error] = checks.saml_needs_xmlsec1(None)
    assert error.id == "guichet.E013" and "sp-federation" in error.msg and "apt-get install xmlsec1" in error.hint
    with pytest.raises(SystemCheckError, match=r"guichet\.E013"):
        call_command("check", fail_level="ERROR")
    Client.objects.filter(protocol="saml").delete()
    assert checks.saml_needs_xmlsec1(None) == []


@pytest.mark.django_db
def test_xmlsec1_present_is_no_error(poitiers):
    assert saml.xmlsec_binary() and checks.saml_needs_xmlsec1(None) == []


@pytest.mark.django_db
def test_a_zimbra_client_without_its_preauth_keys_is_an_error(poitiers, settings, tmp_path):
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS, settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR = {}, ""
    [error] = checks.zimbra_preauth_keys(None)
    assert error.id == "guichet.E014" and "zimbra-webmail" in error.msg
    assert "etu.univ-poitiers.fr" in error.msg and "univ-poitiers.fr" in error.msg
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {"etu.univ-poitiers.fr": "a" * 64}
    [error] = checks.zimbra_preauth_keys(None)
    assert "etu.univ-poitiers.fr" not in error.msg  # only the domain still missing
    (tmp_path / "univ-poitiers.fr").write_text("b" * 64)
    settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR = str(tmp_path)
    assert checks.zimbra_preauth_keys(None) == []


# --- A request that still gets through: a page in the person's language, never a 500 ------


@pytest.mark.django_db
def test_saml_without_xmlsec1_answers_a_french_503_page(client, poitiers, no_xmlsec1):
    response = client.get("/saml/metadata")
    assert response.status_code == 503 and response["Retry-After"]
    html = response.content.decode()
    assert "Service momentanément indisponible" in html and 'lang="fr"' in html


@pytest.mark.django_db
def test_saml_with_a_garbage_key_answers_503(client, poitiers, settings, tmp_path):
    saml.forget()
    (tmp_path / "idp.key").write_text("garbage")
    settings.GUICHET_SAML_KEY_FILE = str(tmp_path / "idp.key")
    response = client.get("/saml/metadata")
    saml.forget()
    assert response.status_code == 503 and "momentanément indisponible" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/jwks.json", "/oidc/authorize/"])
def test_oidc_with_a_garbage_key_answers_a_503_page(client, poitiers, settings, path):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": "garbage"}
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 503 and "Service momentanément indisponible" in html
    assert "une partie de sa configuration manque" in html


@pytest.mark.django_db  # the page frame reads the set-up (identity, desks, banners)
def test_the_unavailable_page_speaks_english_too(rf):
    request = rf.get("/en/")
    with translation.override("en"):
        html = render_to_string("sso/unavailable.html", {}, request=request)
    assert "Service temporarily unavailable" in html and "part of its set-up is missing" in html
    assert "configuration manque" not in html


# --- Settings fail loudly --------------------------------------------------------------


@pytest.mark.parametrize("value", ["flase", "oui", "2x"])
def test_a_bad_boolean_stops_start_up_naming_the_variable(tmp_path, value):
    result = _run(tmp_path, "-c", "import guichet.settings", GUICHET_HTTPS=value)
    assert result.returncode != 0
    assert "GUICHET_HTTPS" in result.stderr and value in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_a_bad_number_stops_start_up_naming_the_variable(tmp_path):
    result = _run(tmp_path, "-c", "import guichet.settings", GUICHET_SESSION_MAX_HOURS="douze")
    assert result.returncode != 0 and "GUICHET_SESSION_MAX_HOURS" in result.stderr


def test_yes_and_no_words_are_read_as_such(monkeypatch):
    from guichet.environment import Env

    env = Env()
    for word, expected in [("1", True), ("TRUE", True), ("on", True), ("yes", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("GUICHET_X", word)
        assert env.bool("GUICHET_X", default=not expected) is expected
    monkeypatch.setenv("GUICHET_X", "")
    assert env.bool("GUICHET_X", default=True) is True  # empty is unset
    monkeypatch.delenv("GUICHET_X")
    assert env.bool("GUICHET_X", default=False) is False


@pytest.mark.django_db
@pytest.mark.parametrize("broken", ["directory", "empty"])
def test_an_unreadable_or_empty_zimbra_key_is_an_error_and_a_503_page(client, poitiers, settings, tmp_path, broken):
    from accounts.models import Account
    from institutions.models import Public

    key = tmp_path / "etu.univ-poitiers.fr"
    key.mkdir() if broken == "directory" else key.write_text("\n")
    (tmp_path / "univ-poitiers.fr").write_text("c" * 64)
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS, settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR = {}, str(tmp_path)
    [error] = checks.zimbra_preauth_keys(None)
    assert error.id == "guichet.E014" and "etu.univ-poitiers.fr" in error.msg
    public = Public.objects.get(slug="universite")
    student = Account.objects.create_user(
        "etudiant@etu.univ-poitiers.fr", None, institution=public.institution, public=public, platform=public.platform
    )
    client.force_login(student)
    response = client.get("/sso/zimbra/zimbra-webmail/")
    assert response.status_code == 503 and "momentanément indisponible" in response.content.decode()
