"""TOTP secrets are encrypted at rest; key files and the SQLite database are private."""

import stat

import pytest
from django.db import connection
from django_otp.oath import TOTP

from accounts.models import TOTPDevice
from guichet.settings import _private_file

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
    path = tmp_path / "field_key"
    _private_file(path, "s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "s3cret"
    _private_file(path, "other")  # an existing key is never replaced
    assert path.read_text() == "s3cret"
    loose = tmp_path / "guichet.sqlite3"
    loose.write_text("")
    loose.chmod(0o644)
    _private_file(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
