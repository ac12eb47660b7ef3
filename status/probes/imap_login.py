"""A real sign-in to IMAP with a probe account: the platform accepts logins, not just TLS.

The secret is read from a file at each run (a password, or a Guichet access token for
XOAUTH2 that the operator's token job keeps fresh); it never reaches the database, a result
or a log line.
"""

import contextlib
import imaplib
import ssl
from pathlib import Path

from . import imap
from .base import ProbeFailure, Seen, Spec, one_line, peer_certificate


def _secret(spec: Spec) -> str:
    try:
        return Path(spec.secret_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise ProbeFailure("config", "secret file unreadable") from None


def check(spec: Spec, context: ssl.SSLContext) -> Seen:
    secret = _secret(spec)
    client = imap.connect(spec, context)
    try:
        banner, der = one_line(client.welcome), peer_certificate(client.sock)
        try:
            if spec.auth == "xoauth2":
                sasl = f"user={spec.login}\x01auth=Bearer {secret}\x01\x01".encode()
                client.authenticate("XOAUTH2", lambda _challenge: sasl)
            else:
                client.login(spec.login, secret)
        except imaplib.IMAP4.error:
            # The server's words may echo what was sent: keep only that it refused.
            raise ProbeFailure("login", "the probe account was refused", der=der, banner=banner) from None
        return Seen(banner=banner, der=der, detail="login ok")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
