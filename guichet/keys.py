"""Guichet's keys as files: which ones, where, and how they are made — once, on purpose.

`manage.py generate_keys` (which `make run` calls) makes what is missing and nothing else.
Loading the settings only reads: a key that went missing is never replaced behind
everyone's back (a new secret key kills every recovery link and signed cookie, a new OIDC
or SAML key makes every relying party distrust Guichet); the system checks in
guichet/checks.py refuse to start instead. No Django models here: the test settings make
their keys with the same function before any app is loaded.
"""

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext as _

from sso.protocols.oidc import keys as oidc_keys
from sso.protocols.saml import keys as saml_keys

GENERATE = "python manage.py generate_keys"


@dataclass(frozen=True)
class KeyFiles:
    """Where each key lives. None: given another way (environment), nothing to make."""

    secret_key: Path | None
    oidc: Path | None
    saml: tuple[Path, Path] | None  # (private key, certificate)
    field_key: Path | None = None  # the salt of the encrypted fields (outbox, TOTP secrets)
    zimbra_dir: Path | None = None  # the demo's preauth keys, one file per mail domain
    zimbra_domains: tuple[str, ...] = field(default=())
    site_name: str = "Guichet"


def read(path: Path | None) -> str:
    """The key in this file, or "" when it is missing or unreadable (the checks say which)."""
    if path is None:
        return ""
    try:
        return Path(path).read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def generate(files: KeyFiles) -> list[Path]:
    """Make every missing key file (0600, atomically, never replacing one). Returns what was made."""
    made: list[Path] = []
    if files.secret_key and _create(files.secret_key, secrets.token_urlsafe(50)):
        made.append(files.secret_key)
    if files.field_key and _create(files.field_key, secrets.token_urlsafe(50)):
        made.append(files.field_key)
    if files.oidc and not files.oidc.exists() and _create(files.oidc, oidc_keys.new_key_pem()):
        made.append(files.oidc)
    if files.saml:
        key, cert = files.saml
        if not key.exists() and not cert.exists():
            saml_keys.generate_keypair(key, cert, f"{files.site_name} SAML")
            made += [key, cert]
        # Half a pair is left for the checks to report: making the other half would not match.
    if files.zimbra_dir:
        for domain in files.zimbra_domains:
            path = files.zimbra_dir / domain
            if _create(path, secrets.token_hex(32)):  # Zimbra's own keys are 64 hex digits
                made.append(path)
    return made


def oidc_problem(pem: str, path: Path | None) -> str | None:
    """Why the OIDC signing key cannot sign (missing, unreadable, garbage, not RSA), or None."""
    # Read by operators in the active language (only called once the apps are loaded).
    where = {"where": str(path) if path else "GUICHET_OIDC_KEY_FILE"}
    if not pem:
        if path is not None and path.exists():
            return _("%(where)s est illisible ou vide") % where
        return _("%(where)s n'existe pas") % where
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return _("%(where)s n'est pas une clé privée PEM") % where
    if not isinstance(key, rsa.RSAPrivateKey):
        return _("%(where)s n'est pas une clé RSA (les jetons d'identité sont signés RS256)") % where
    return None


def _create(path: Path, text: str) -> bool:
    """Write `text` to a new file, 0600 from the start; False if the file already exists.

    Two processes making keys at once: the first link wins and the other keeps its key.
    """
    if path.exists():
        return False
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text + "\n")
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
