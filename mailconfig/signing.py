"""Signing Apple profiles: PKCS#7 (CMS) SignedData, DER, the profile embedded.

The certificate and key come from files named in the settings (GUICHET_MOBILECONFIG_CERT_FILE,
GUICHET_MOBILECONFIG_KEY_FILE); the certificate file may carry the intermediate certificates
after the signer's, and they travel in the signature so the device can build the chain.
Without them profiles go out unsigned, and every page offering one says so.
"""

from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings


class SigningUnavailable(Exception):
    pass


@lru_cache(maxsize=4)
def _load(cert_file: str, key_file: str) -> tuple[list[x509.Certificate], object]:
    certs = x509.load_pem_x509_certificates(Path(cert_file).read_bytes())
    key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    return certs, key


def configured() -> bool:
    return bool(settings.GUICHET_MOBILECONFIG_CERT_FILE and settings.GUICHET_MOBILECONFIG_KEY_FILE)


def sign(data: bytes) -> bytes:
    if not configured():
        raise SigningUnavailable("no signing certificate configured")
    try:
        certs, key = _load(str(settings.GUICHET_MOBILECONFIG_CERT_FILE), str(settings.GUICHET_MOBILECONFIG_KEY_FILE))
    except (OSError, ValueError) as exc:
        raise SigningUnavailable(f"signing certificate unreadable: {exc.__class__.__name__}") from None
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(certs[0], key, hashes.SHA256())  # type: ignore[arg-type]
    for extra in certs[1:]:
        builder = builder.add_certificate(extra)
    return builder.sign(serialization.Encoding.DER, [])
