"""TOTP secrets are encrypted at rest; key files and the SQLite database are private."""

import stat

import pytest
from django.db import connection
from django_otp.oath import TOTP

from accounts.models import TOTPDevice
from guichet.private_files import field_key_problem, generate_field_key, private_file

pytestmark = pytest.mark.django_db


def test_the_secret_is_not_in_the_table_but_codes_still_verify(student):
    device = TOTPDevice.objects.create(user=student, name="TOTP", confirmed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice")
        (raw,) = cursor.fetchone()
    assert device.key not in raw and raw.startswith("gAAAA")
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert fresh.key == device.key
    assert fresh.verify_token(TOTP(fresh.bin_key).token()) is True
    assert fresh.config_url.startswith("otpauth://totp/")


def test_key_files_are_created_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "keys" / "field_key"
    assert generate_field_key(path) is True
    key = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and field_key_problem(key, "field_key") is None
    assert generate_field_key(path) is False and path.read_text() == key  # never replaced
    assert "generate_keys" in field_key_problem("", "var/field_key")
    loose = tmp_path / "guichet.sqlite3"
    loose.write_text("")
    loose.chmod(0o644)
    private_file(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
