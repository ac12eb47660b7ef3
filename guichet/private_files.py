"""Files only Guichet's user reads: keys, the SQLite databases. And the field-encryption key.

No Django imports: the settings module uses these before anything is set up.
"""

import os
import secrets
from pathlib import Path


def private_file(path: Path, text: str = "") -> bool:
    """Create `path` readable by its owner only, from the first byte (no chmod window), with
    `text` if it is new; an existing file keeps its content and loses other users' access.
    True when the file was made now."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        return False
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    return True


def generate_field_key(path: Path) -> bool:
    """The salt of the keys that encrypt outbox bodies and TOTP secrets (settings.SALT_KEY,
    GUICHET_FIELD_KEY_FILE), made once and never replaced: a new one makes every encrypted
    TOTP secret unreadable. For `manage.py generate_keys` (guichet/keys.py) to call beside
    the others. True when it was made now."""
    return private_file(path, secrets.token_urlsafe(50))


def field_key_problem(value: str, where: str) -> str | None:
    """Why the field key cannot be used, or None (for the start-up checks)."""
    if not value:
        return f"{where} is missing or empty: run `python manage.py generate_keys`"
    if len(value) < 32:
        return f"{where} is too short (at least 32 characters)"
    return None
