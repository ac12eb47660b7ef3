"""The Apple profile: a com.apple.mail.managed payload, signed PKCS#7 DER that openssl verifies."""

import plistlib
import subprocess

import pytest

from .conftest import make_certificate, write_pem

pytestmark = pytest.mark.django_db

URL = "/messagerie/clients/zimbra/profil.mobileconfig"


@pytest.fixture
def signing_files(settings, tmp_path, test_ca):
    cert, key = make_certificate("profils.guichet.test", issuer=test_ca, days=90)
    cert_path, key_path = write_pem(tmp_path, "signer", cert, key)
    ca_path, _ = write_pem(tmp_path, "ca", test_ca[0])
    settings.GUICHET_MOBILECONFIG_CERT_FILE = str(cert_path)
    settings.GUICHET_MOBILECONFIG_KEY_FILE = str(key_path)
    return ca_path


def _verify(tmp_path, signed: bytes, ca_path) -> bytes:
    signed_path = tmp_path / "profile.mobileconfig"
    signed_path.write_bytes(signed)
    out = subprocess.run(
        [
            "openssl",
            "smime",
            "-verify",
            "-inform",
            "DER",
            "-in",
            str(signed_path),
            "-CAfile",
            str(ca_path),
            "-purpose",
            "any",
        ],
        capture_output=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr.decode()
    assert b"Verification successful" in out.stderr
    return out.stdout


def test_the_profile_is_signed_and_openssl_verifies_it(client, poitiers, signing_files, tmp_path):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert response["Content-Disposition"] == 'attachment; filename="zimbra.mobileconfig"'
    profile = plistlib.loads(_verify(tmp_path, response.content, signing_files))
    assert profile["PayloadType"] == "Configuration"
    (mail,) = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    assert mail["EmailAccountType"] == "EmailTypeIMAP"
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"]) == ("imap.univ-poitiers.fr", 993)
    assert (mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"]) == ("smtp.univ-poitiers.fr", 587)
    assert mail["IncomingMailServerUseSSL"] is True and mail["OutgoingMailServerUseSSL"] is True
    assert mail["IncomingMailServerAuthentication"] == "EmailAuthPassword"
    # Anonymous: the device asks for the address and username while installing.
    assert "EmailAddress" not in mail and "IncomingMailServerUsername" not in mail
    for payload in (profile, mail):
        assert {"PayloadIdentifier", "PayloadUUID", "PayloadVersion", "PayloadDisplayName"} <= payload.keys()


def test_signed_in_the_profile_is_filled_with_the_persons_identifier(client, student, signing_files, tmp_path):
    client.force_login(student)
    profile = plistlib.loads(_verify(tmp_path, client.get(URL).content, signing_files))
    (mail,) = profile["PayloadContent"]
    assert mail["EmailAddress"] == mail["IncomingMailServerUsername"] == "etudiant@etu.univ-poitiers.fr"


def test_an_address_of_another_platform_is_not_put_in_the_profile(client, poitiers):
    profile = plistlib.loads(client.get(URL, {"adresse": "x@ac-poitiers.fr"}).content)
    assert "EmailAddress" not in profile["PayloadContent"][0]


def test_without_a_certificate_the_profile_is_unsigned_and_the_page_says_so(client, poitiers):
    profile = plistlib.loads(client.get(URL).content)
    assert profile["PayloadContent"][0]["PayloadType"] == "com.apple.mail.managed"
    html = client.get("/messagerie/clients/zimbra/").content.decode()
    assert "Ce profil n'est pas signé" in html


def test_with_a_certificate_the_page_gives_no_unsigned_warning(client, poitiers, signing_files):
    html = client.get("/messagerie/clients/zimbra/").content.decode()
    assert "pas signé" not in html
    assert 'src="data:image/svg+xml' in html  # the QR code opening the download on a phone


def _signing_warnings():
    from django.core.checks import run_checks

    return [m.id for m in run_checks(tags=["guichet"]) if m.id.startswith("mailconfig.")]


def test_the_system_check_tells_when_profiles_cannot_be_signed(settings, signing_files):
    assert _signing_warnings() == []
    settings.GUICHET_MOBILECONFIG_KEY_FILE = "/nonexistent/key.pem"
    assert _signing_warnings() == ["mailconfig.W001"]
    settings.GUICHET_MOBILECONFIG_CERT_FILE = ""
    assert _signing_warnings() == []  # unsigned is allowed: pages say so


def test_the_operator_reads_the_signing_check_in_english(settings, signing_files):
    from django.core.checks import run_checks
    from django.utils import translation

    settings.GUICHET_MOBILECONFIG_KEY_FILE = "/nonexistent/key.pem"
    with translation.override("en"):
        [warning] = [m for m in run_checks(tags=["guichet"]) if m.id == "mailconfig.W001"]
    assert warning.msg.startswith("Apple profiles cannot be signed: ")
    assert warning.hint.startswith("Check GUICHET_MOBILECONFIG_CERT_FILE")
