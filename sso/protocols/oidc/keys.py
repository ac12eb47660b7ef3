"""The OpenID Connect signing keys, as files: never in the repository, never in the database.

`current` (var/oidc/current.pem, or the file GUICHET_OIDC_KEY_FILE names) signs ID tokens
and logout tokens. Retired keys wait in var/oidc/inactive/, named after the moment they
were retired, and are still published in the JWKS so tokens they signed verify until they
expire. Imported by the settings module: no Django models here.
"""

import contextlib
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 3072  # RS256 with 3072-bit keys: ANSSI's floor for keys used beyond 2030


def new_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _write_private(path: Path, text: str, *, replace: bool = True) -> None:
    """Write atomically, 0600 from the start. Without `replace`, an existing file wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-", suffix=".pem")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        if replace:
            os.replace(temporary, path)
        else:
            # Several workers starting at once: the first link wins, the others read its key.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def signing_keys(current: Path, inactive_dir: Path) -> tuple[str, list[str]]:
    """(current PEM, retired PEMs newest first); the current key is created on first use."""
    if not current.exists():
        _write_private(current, new_key_pem(), replace=False)
    return current.read_text(), [path.read_text() for path in inactive_files(inactive_dir)]


def inactive_files(inactive_dir: Path) -> list[Path]:
    """Retired keys, newest first. Their names start with the retirement time (epoch seconds)."""
    if not inactive_dir.is_dir():
        return []
    return sorted(inactive_dir.glob("*.pem"), key=_retired_at, reverse=True)


def _retired_at(path: Path) -> int:
    stamp = path.name.split("-", 1)[0]
    return int(stamp) if stamp.isdigit() else int(path.stat().st_mtime)


def rotate(current: Path, inactive_dir: Path, *, now: float | None = None) -> Path:
    """Retire the current key (kept for verification) and create a new one. Returns the retired file."""
    stamp = int(now if now is not None else time.time())
    old = current.read_text() if current.exists() else new_key_pem()
    retired = inactive_dir / f"{stamp}-{os.urandom(4).hex()}.pem"
    _write_private(retired, old)
    _write_private(current, new_key_pem())
    return retired


def prune(inactive_dir: Path, keep_seconds: int, *, now: float | None = None) -> list[Path]:
    """Delete retired keys whose tokens have all expired (retired more than keep_seconds ago)."""
    limit = (now if now is not None else time.time()) - keep_seconds
    dropped = [path for path in inactive_files(inactive_dir) if _retired_at(path) < limit]
    for path in dropped:
        path.unlink()
    return dropped
