"""The webmail over HTTPS: TLS with the certificate checked, then a GET of its page.

Any answer below 500 counts as up (a webmail's front page often redirects to its sign-in).
"""

import http.client
import ssl

from .base import ProbeFailure, Seen, Spec


def check(spec: Spec, context: ssl.SSLContext) -> Seen:
    connection = http.client.HTTPSConnection(spec.host, spec.port, timeout=spec.timeout, context=context)
    try:
        connection.connect()
        der = connection.sock.getpeercert(binary_form=True)
        connection.request("GET", spec.path or "/", headers={"User-Agent": "Guichet-status", "Accept": "text/html"})
        response = connection.getresponse()
        response.read(65536)
        banner = f"HTTP {response.status} {response.reason}"
        if response.status >= 500:
            raise ProbeFailure("http_status", banner, der=der, banner=banner)
        return Seen(banner=banner, der=der)
    except http.client.HTTPException as error:
        raise ProbeFailure("protocol", f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
