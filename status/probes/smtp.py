"""SMTP over TLS (465) or STARTTLS (587, 25): the 220 banner, EHLO, the certificate, QUIT."""

import smtplib
import ssl

from .base import ProbeFailure, Seen, Spec, one_line, peer_certificate


def check(spec: Spec, context: ssl.SSLContext) -> Seen:
    client: smtplib.SMTP
    try:
        client = (
            smtplib.SMTP(timeout=spec.timeout)
            if spec.starttls
            else smtplib.SMTP_SSL(timeout=spec.timeout, context=context)
        )
        # Connecting from the constructor would hide the banner; the name TLS checks the
        # certificate against is then read from `_host`, which only the constructor sets.
        client._host = spec.host  # type: ignore[attr-defined]  # private smtplib attribute, absent from typeshed
        code, banner = client.connect(spec.host, spec.port)
    except smtplib.SMTPException as error:
        raise ProbeFailure("protocol", one_line(str(error))) from None
    try:
        if code != 220:
            raise ProbeFailure("protocol", f"{code} {one_line(banner)}", banner=one_line(banner))
        client.ehlo("guichet-status.invalid")
        if spec.starttls:
            client.starttls(context=context)
            client.ehlo("guichet-status.invalid")
        return Seen(banner=f"{code} {one_line(banner)}", der=peer_certificate(client.sock))
    except smtplib.SMTPException as error:
        raise ProbeFailure("protocol", one_line(str(error))) from None
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
