"""Probes of a mail platform, one module per kind with the same shape:

    check(spec: Spec, context: ssl.SSLContext) -> Seen

It connects, speaks just enough of its protocol to know the service answers, and returns
what it saw (banner, the server's certificate). It raises ProbeFailure for a protocol-level
refusal and lets socket and TLS errors through: `run` turns every outcome into an Outcome
with a stable error code, timing the whole exchange. When the certificate does not verify,
`run` looks again without verification, only to say when it expires.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509

from . import https, imap, imap_login, smtp
from .base import ProbeFailure, Seen, Spec

PROBES = {"https": https, "imap": imap, "smtp": smtp, "imap_login": imap_login}

__all__ = ["PROBES", "Outcome", "ProbeFailure", "Seen", "Spec", "run"]

# OpenSSL's verification codes (x509_vfy.h) for the failures people can act on.
_EXPIRED, _NOT_YET_VALID, _HOSTNAME, _IP_ADDRESS = 10, 9, 62, 64


@dataclass(frozen=True)
class Outcome:
    ok: bool
    latency_ms: int | None
    error: str = ""
    detail: str = ""
    banner: str = ""
    cert_not_after: datetime | None = None
    cert_days_left: int | None = None


def verified_context(ca_file: str = "") -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _unverified_context() -> ssl.SSLContext:
    # Only to read the certificate of a server that failed verification; nothing is sent.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _expiry(der: bytes | None, now: datetime) -> tuple[datetime | None, int | None]:
    if not der:
        return None, None
    not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
    return not_after, (not_after - now).days


def _classify(error: ssl.SSLCertVerificationError) -> str:
    return {
        _EXPIRED: "cert_expired",
        _NOT_YET_VALID: "cert_not_yet_valid",
        _HOSTNAME: "cert_name",
        _IP_ADDRESS: "cert_name",
    }.get(error.verify_code, "cert_untrusted")


def run(kind: str, spec: Spec, *, ca_file: str = "", now: datetime | None = None) -> Outcome:
    module = PROBES[kind]
    now = now or datetime.now(UTC)
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        seen = module.check(spec, verified_context(ca_file))
    except ssl.SSLCertVerificationError as error:
        latency = elapsed()
        not_after = days = None
        with contextlib.suppress(OSError, ProbeFailure, ssl.SSLError):
            not_after, days = _expiry(module.check(spec, _unverified_context()).der, now)
        return Outcome(False, latency, _classify(error), str(error.verify_message)[:300], "", not_after, days)
    except ProbeFailure as failure:
        not_after, days = _expiry(failure.der, now)
        return Outcome(False, elapsed(), failure.code, failure.detail[:300], failure.banner[:300], not_after, days)
    except TimeoutError:
        return Outcome(False, None, "timeout", f"no answer within {spec.timeout:g} s")
    except ConnectionRefusedError:
        return Outcome(False, None, "refused", "connection refused")
    except ssl.SSLError as error:
        return Outcome(False, elapsed(), "tls", str(error)[:300])
    except socket.gaierror as error:
        return Outcome(False, None, "dns", str(error)[:300])
    except OSError as error:
        return Outcome(False, None, "unreachable", str(error)[:300])
    not_after, days = _expiry(seen.der, now)
    return Outcome(True, elapsed(), "", seen.detail[:300], seen.banner[:300], not_after, days)
