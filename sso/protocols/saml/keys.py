"""The SAML identity provider's key pair, as files. No Django models: the key-making command
and the test settings use it before any app is loaded."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def generate_keypair(key_path: Path, cert_path: Path, common_name: str) -> None:
    """RSA 3072 and a self-signed certificate valid ten years (SAML trusts the key, not a CA)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3652))
        .sign(key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write(key_path, key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), 0o600)
    _write(cert_path, cert.public_bytes(pem), 0o644)  # written last: its presence means both are there


def problem(key_path: Path, cert_path: Path) -> str | None:
    """Why this pair cannot sign (missing, unreadable, not a key, not matching), or None."""
    try:
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except OSError as error:
        return f"{key_path}: {error.strerror or error}"
    except (ValueError, TypeError):
        return f"{key_path}: not a PEM private key"
    try:
        cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    except OSError as error:
        return f"{cert_path}: {error.strerror or error}"
    except ValueError:
        return f"{cert_path}: not a PEM certificate"
    if cert.public_key() != key.public_key():
        return f"{cert_path} does not match {key_path}"
    return None


def _write(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_suffix(".tmp")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as out:
        out.write(data)
    os.replace(temporary, path)
