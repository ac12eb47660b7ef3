"""« Tester ma connexion »: a password-free look at one configured IMAP/POP/SMTP end point.

From Guichet's side: does the name resolve, does the port answer, does TLS come up (directly
or after STARTTLS), which version, is the certificate trusted, valid for that name and not
expired. Nothing is ever sent but a greeting, a capability request and STARTTLS: no login.
Callers pass only servers taken from the set-up (`MailSettings.allows`): this is no scanner.
"""

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509

from .servers import Server

MAX_LINE = 4096
MAX_LINES = 100
SOON_DAYS = 14
# What a client sends to ask for capabilities, the word that says STARTTLS is offered, the
# command that starts it, and how the server says yes.
_PLAIN = {
    "imap": (b"a1 CAPABILITY\r\n", b"STARTTLS", b"a2 STARTTLS\r\n", b"a2 OK"),
    "pop3": (b"CAPA\r\n", b"STLS", b"STLS\r\n", b"+OK"),
    "smtp": (b"EHLO guichet.invalid\r\n", b"STARTTLS", b"STARTTLS\r\n", b"220"),
}


class ProbeError(Exception):
    def __init__(self, kind: str, detail: str = ""):
        self.kind, self.detail = kind, detail
        super().__init__(kind)


@dataclass
class Result:
    server: Server
    # Outcomes, each a short code the page turns into words (see messages.py).
    reachable: bool = False
    failure: str = ""  # dns, refused, timeout, unreachable, no-starttls, handshake, protocol
    starttls_offered: bool | None = None
    tls_version: str = ""
    trusted: bool | None = None
    verify_message: str = ""
    name_matches: bool | None = None
    names: list[str] = field(default_factory=list)
    not_after: datetime | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def expired(self) -> bool:
        return self.not_after is not None and self.not_after <= self.checked_at

    @property
    def expires_soon(self) -> bool:
        return not self.expired and self.not_after is not None and (self.not_after - self.checked_at).days < SOON_DAYS

    @property
    def old_tls(self) -> bool:
        return self.tls_version in ("SSLv3", "TLSv1", "TLSv1.1")

    @property
    def ok(self) -> bool:
        return (
            self.reachable
            and not self.failure
            and bool(self.trusted)
            and bool(self.name_matches)
            and not self.expired
            and not self.old_tls
        )


def _lines(conn: socket.socket, done: Callable[[bytes], bool]) -> list[bytes]:
    """Read server lines until `done(line)` says the answer is complete."""
    buffer = b""
    lines: list[bytes] = []
    while len(lines) < MAX_LINES:
        while b"\n" not in buffer:
            chunk = conn.recv(MAX_LINE)
            if not chunk or len(buffer) > MAX_LINE:
                raise ProbeError("protocol")
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        lines.append(line.rstrip(b"\r"))
        if done(line):
            return lines
    raise ProbeError("protocol")


def _greeting_done(protocol: str) -> Callable[[bytes], bool]:
    if protocol == "smtp":
        return lambda line: line[3:4] != b"-"
    return lambda line: True


def _capability_done(protocol: str) -> Callable[[bytes], bool]:
    if protocol == "imap":
        return lambda line: line.startswith(b"a1 ")
    if protocol == "pop3":
        return lambda line: line.rstrip(b"\r") == b"." or line.startswith(b"-ERR")
    return lambda line: line[3:4] != b"-"


def _starttls(conn: socket.socket, protocol: str) -> bool:
    """Speak the plain protocol up to STARTTLS; False if the server does not offer it."""
    ask, word, command, yes = _PLAIN[protocol]
    _lines(conn, _greeting_done(protocol))
    conn.sendall(ask)
    answer = b" ".join(_lines(conn, _capability_done(protocol))).upper()
    if word not in answer:
        return False
    conn.sendall(command)
    reply = _lines(conn, _greeting_done(protocol))
    if not reply[-1].startswith(yes):
        raise ProbeError("no-starttls")
    return True


def _context(verify: bool, cafile: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    context.check_hostname = False  # the name is checked below, so that a mismatch is told apart
    if not verify:
        context.verify_mode = ssl.CERT_NONE
    return context


def _connect(server: Server, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((server.host, server.port), timeout=timeout)
    except socket.gaierror:
        raise ProbeError("dns") from None
    except ConnectionRefusedError:
        raise ProbeError("refused") from None
    except TimeoutError:
        raise ProbeError("timeout") from None
    except OSError as exc:
        raise ProbeError("unreachable", exc.__class__.__name__) from None


def _handshake(server: Server, timeout: float, context: ssl.SSLContext, result: Result) -> ssl.SSLSocket:
    conn = _connect(server, timeout)
    result.reachable = True
    try:
        if server.security == "starttls":
            offered = _starttls(conn, server.protocol)
            result.starttls_offered = offered
            if not offered:
                raise ProbeError("no-starttls")
        return context.wrap_socket(conn, server_hostname=server.host)
    except BaseException:
        conn.close()
        raise


def _names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return [str(n) for n in san.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        return [str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]


def name_matches(host: str, names: list[str]) -> bool:
    """RFC 6125: exact match, or a wildcard standing for exactly one left-most label."""
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def check(server: Server, *, timeout: float = 5.0, cafile: str = "") -> Result:
    result = Result(server)
    try:
        try:
            tls = _handshake(server, timeout, _context(True, cafile), result)
            result.trusted = True
        except ssl.SSLCertVerificationError as exc:
            # Trust failed: look again without verifying, only to describe the certificate.
            result.trusted, result.verify_message = False, str(exc.verify_message or "")
            tls = _handshake(server, timeout, _context(False, cafile), result)
        with tls:
            result.tls_version = tls.version() or ""
            der = tls.getpeercert(binary_form=True)
        if der:
            cert = x509.load_der_x509_certificate(der)
            result.names = _names(cert)
            result.name_matches = name_matches(server.host, result.names)
            result.not_after = cert.not_valid_after_utc
    except ProbeError as exc:
        result.failure = exc.kind
    except ssl.SSLError:
        result.failure = "handshake"
    except TimeoutError:
        # Silence after connecting: most often TLS spoken to a STARTTLS port, or the reverse.
        result.failure = "protocol" if result.reachable else "timeout"
    except OSError:
        result.failure = "unreachable" if not result.reachable else "protocol"
    return result
