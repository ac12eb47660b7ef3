"""IMAP over TLS (port 993) or STARTTLS (143): the greeting, the certificate, a LOGOUT."""

import contextlib
import imaplib
import ssl

from .base import ProbeFailure, Seen, Spec, one_line, peer_certificate


def connect(spec: Spec, context: ssl.SSLContext) -> imaplib.IMAP4:
    try:
        if spec.starttls:
            client = imaplib.IMAP4(spec.host, spec.port, timeout=spec.timeout)
            client.starttls(ssl_context=context)
            return client
        return imaplib.IMAP4_SSL(spec.host, spec.port, ssl_context=context, timeout=spec.timeout)
    except imaplib.IMAP4.error as error:
        raise ProbeFailure("protocol", one_line(str(error))) from None


def check(spec: Spec, context: ssl.SSLContext) -> Seen:
    client = connect(spec, context)
    try:
        return Seen(banner=one_line(client.welcome), der=peer_certificate(client.sock))
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
