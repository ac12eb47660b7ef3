"""A backup taken on one instance brings a second, empty one back to the same state.

Each instance is a real `manage.py` in its own var/ directory (and, on the PostgreSQL leg,
its own database), as an operator would run them: nothing is shared but the archive.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from testing.personas import PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
IDENTIFIER = "etudiant@etu.univ-poitiers.fr"

BEFORE = f"""
import json, sys
from django.conf import settings
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
call_command("load_setup", verbosity=0)
from jwcrypto import jwk, jwt
from accounts.models import Account
from institutions.models import Public
public = Public.objects.get(slug="universite")
Account.objects.create_user({IDENTIFIER!r}, {PASSWORD!r}, institution=public.institution, public=public,
                            platform=public.platform)
key = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
token = jwt.JWT(header={{"alg": "RS256", "kid": key.thumbprint()}}, claims={{"sub": "restored", "aud": "zimbra"}})
token.make_signed_token(key)
call_command("backup", "--output", sys.argv[-1], verbosity=0)
print(json.dumps({{"token": token.serialize()}}))
"""

AFTER = f"""
import json, sys
from django.test import Client
from jwcrypto import jwk, jwt
client = Client()
signed_in = client.post("/login/", {{"identifier": {IDENTIFIER!r}, "password": {PASSWORD!r}}})
keys = jwk.JWKSet.from_json(client.get("/.well-known/jwks.json").content)
claims = json.loads(jwt.JWT(jwt=sys.stdin.read().strip(), key=keys).claims)
print(json.dumps({{"status": signed_in.status_code, "location": signed_in.get("Location"), "sub": claims["sub"]}}))
"""


def databases() -> list[str]:
    # The PostgreSQL leg of CI sets DATABASE_URL: the round trip then runs there too.
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "postgresql"] if url.startswith("postgres") else ["sqlite"]


def fresh_database(kind: str, name: str) -> str:
    if kind == "sqlite":
        return ""
    import psycopg

    base = os.environ["DATABASE_URL"]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def manage(var_dir: Path, database_url: str, *args: str, stdin: str = "") -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUICHET_", "DATABASE_URL", "REDIS_URL", "PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(GUICHET_VAR_DIR=str(var_dir), GUICHET_TESTING="1", GUICHET_HTTPS="0", GUICHET_ALLOWED_HOSTS="testserver")
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, input=stdin, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def take_backup(var_dir: Path, database_url: str, archive: Path) -> str:
    """A populated instance backed up; returns an ID token its key signed before the backup."""
    output = manage(var_dir, database_url, "shell", "-c", BEFORE.replace("sys.argv[-1]", repr(str(archive))))
    return json.loads(output.strip().splitlines()[-1])["token"]


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    root = tmp_path_factory.mktemp("backup")
    archive = root / "backup.tar.gz"
    return root / "first", archive, take_backup(root / "first", "", archive)


@pytest.mark.parametrize("kind", databases())
def test_a_restored_instance_signs_in_the_same_people_and_verifies_old_tokens(kind, tmp_path, sqlite_backup):
    if kind == "sqlite":
        _first, archive, token = sqlite_backup
        second_db = ""
    else:
        archive = tmp_path / "backup.tar.gz"
        token = take_backup(tmp_path / "first", fresh_database(kind, "guichet_backup_first"), archive)
        second_db = fresh_database(kind, "guichet_backup_second")
    assert archive.stat().st_mode & 0o777 == 0o600
    second = tmp_path / "second"

    manage(second, second_db, "restore", str(archive))
    # A new process, as after the restart the restore asks for: it reads the restored keys.
    after = json.loads(manage(second, second_db, "shell", "-c", AFTER, stdin=token).strip().splitlines()[-1])
    assert after == {"status": 302, "location": "/services/", "sub": "restored"}
    # The keys came back private, as they left.
    assert all(path.stat().st_mode & 0o077 == 0 for path in second.rglob("*.pem"))


def test_a_restore_refuses_to_overwrite_an_instance_with_accounts(sqlite_backup):
    first, archive, _token = sqlite_backup
    with pytest.raises(AssertionError, match="already holds accounts"):
        manage(first, "", "restore", str(archive))


def test_a_damaged_archive_is_refused(tmp_path, sqlite_backup):
    _first, archive, _token = sqlite_backup
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(AssertionError, match="archive is damaged"):
        manage(tmp_path / "second", "", "restore", str(damaged))


def test_an_archive_that_climbs_out_of_its_folder_is_refused(tmp_path, sqlite_backup):
    import io
    import tarfile

    _first, archive, _token = sqlite_backup
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(evil, "w:gz") as out:
        manifest = source.extractfile("manifest.json").read()
        for name, body in (("manifest.json", manifest), ("../../outside.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            out.addfile(info, io.BytesIO(body))
    with pytest.raises(AssertionError, match="unexpected entry"):
        manage(tmp_path / "second", "", "restore", str(evil))
    assert not (tmp_path.parent / "outside.txt").exists()
