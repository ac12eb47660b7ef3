"""Backups: the database, the keys and the uploaded files, as one archive.

Consistent by construction: SQLite is copied with its online backup API and PostgreSQL with
pg_dump (one snapshot), and the files beside them change only when an administrator rotates
a key or a person uploads a document. The archive holds keys that can sign tokens and
decrypt secrets: it is written 0600 and must be stored like the keys themselves.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
DATABASE_SQLITE = "database.sqlite3"
DATABASE_POSTGRES = "database.pgdump"
# Under the var directory: state a restore must not bring back (the database is taken
# apart, queues and spools are transient, metrics belong to the processes that wrote them).
TRANSIENT = ("guichet.sqlite3", "huey.sqlite3", "mail", "sms", "prometheus", "backups")


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    files: dict[str, str]  # archive name -> sha256
    external: dict[str, str]  # archive name -> absolute path it came from (keys outside var/)


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


def _var_files(var_dir: Path) -> list[Path]:
    files = []
    for path in sorted(var_dir.rglob("*")):
        relative = path.relative_to(var_dir)
        if path.is_file() and not relative.parts[0].startswith(TRANSIENT):
            files.append(path)
    return files


def _external_files(var_dir: Path) -> list[Path]:
    """Key and upload locations configured outside var/ (production keeps keys elsewhere)."""
    candidates = [
        settings.GUICHET_OIDC_KEY_FILE,
        settings.GUICHET_SAML_KEY_FILE,
        settings.GUICHET_SAML_CERT_FILE,
    ]
    found = []
    for name in candidates:
        if not name:
            continue
        path = Path(name).resolve()
        if path.is_file() and var_dir.resolve() not in path.parents:
            found.append(path)
    media = Path(settings.MEDIA_ROOT).resolve()
    if media.is_dir() and var_dir.resolve() not in media.parents:
        found.extend(sorted(p for p in media.rglob("*") if p.is_file()))
    return found


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        if connection.in_atomic_block:
            # SQLite's online backup cannot copy what its own connection is writing, and
            # Python retries it every 0.25 s for ever (ops/tests/test_backup_audit.py): refuse.
            raise BackupError("a SQLite backup cannot run inside a transaction of the same connection")
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return
    db = settings.DATABASES["default"]
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", *_pg_args(db)],
        db,
    )


def _run(command: list[str], db: dict[str, object]) -> None:
    # PostgreSQL's own client tools, from PATH (Debian's postgresql-client); arguments are ours.
    try:
        subprocess.run(command, check=True, env=_pg_env(db), capture_output=True, text=True)  # noqa: S603
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[-500:]}") from error


def _pg_args(db: dict[str, object]) -> list[str]:
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return args


def _pg_env(db: dict[str, object]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def create(output: Path) -> Manifest:
    """Write the archive to `output` (0600) and return what it holds."""
    engine = _engine()
    var_dir = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / (DATABASE_SQLITE if engine == "sqlite" else DATABASE_POSTGRES)
        _dump_database(engine, dump)
        members: dict[str, Path] = {dump.name: dump}
        for path in _var_files(var_dir):
            members[f"var/{path.relative_to(var_dir).as_posix()}"] = path
        external = {}
        for index, path in enumerate(_external_files(var_dir)):
            name = f"external/{index}/{path.name}"
            members[name] = path
            external[name] = str(path)
        manifest = Manifest(
            engine=engine,
            created_at=datetime.now(UTC).isoformat(),
            files={name: _sha256(path) for name, path in members.items()},
            external=external,
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            body = json.dumps({"format": FORMAT, **manifest.__dict__}, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(body), 0o600
            archive.addfile(info, io.BytesIO(body))
            for name, path in members.items():
                archive.add(path, arcname=name, recursive=False)
    return manifest


# What a truncated or altered archive raises on the way in.
DAMAGED = (tarfile.TarError, zlib.error, EOFError, KeyError, ValueError)


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise BackupError("the archive has no manifest")
            data = json.loads(member.read())
    except DAMAGED as error:
        raise BackupError(f"the archive is damaged ({type(error).__name__})") from error
    if data.pop("format", None) != FORMAT:
        raise BackupError("unknown backup format")
    return Manifest(**data)


def restore(archive_path: Path, *, force: bool = False) -> Manifest:
    """Put the archive's database, var/ files and external keys back in place.

    Refuses a database that already holds accounts unless `force`: a restore replaces it.
    """
    manifest = read_manifest(archive_path)
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(f"the archive holds a {manifest.engine} database; this instance uses {engine}")
    if not force and _has_accounts():
        raise BackupError("this database already holds accounts; use --force to replace it")
    var_dir = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                _extract(archive, root)
        except DAMAGED as error:
            raise BackupError(f"the archive is damaged ({type(error).__name__})") from error
        for name, digest in manifest.files.items():
            if _sha256(root / name) != digest:
                raise BackupError(f"{name} does not match its checksum: the archive is damaged")
        _load_database(engine, root)
        for name in manifest.files:
            if name.startswith("var/"):
                _place(root / name, var_dir / name.removeprefix("var/"))
        for name, original in manifest.external.items():
            _place(root / name, Path(original))
    return manifest


def _extract(archive: tarfile.TarFile, root: Path) -> None:
    """Only regular files, only under `root`: no links, devices or paths that climb out.

    Checked here rather than with extractall(filter="data"), which Debian 12's Python 3.11.2
    does not have (it came in 3.11.4)."""
    inside = root.resolve()
    for member in archive.getmembers():
        if not member.isfile() or inside not in (inside / member.name).resolve().parents:
            raise BackupError(f"unexpected entry in the archive: {member.name[:100]}")
    archive.extractall(inside)  # noqa: S202 - every member checked above


def _has_accounts() -> bool:
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.exists()
    except Exception:  # no tables yet: an empty instance, which is what a restore wants
        return False


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)


def _load_database(engine: str, root: Path) -> None:
    if engine == "sqlite":
        source = sqlite3.connect(root / DATABASE_SQLITE)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        return
    db = settings.DATABASES["default"]
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *_pg_args(db),
            str(root / DATABASE_POSTGRES),
        ],
        db,
    )
