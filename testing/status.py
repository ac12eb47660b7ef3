"""Real local servers for the probe tests: TLS servers speaking just enough HTTPS, IMAP or
SMTP, with certificates made on the spot by a private CA (cryptography).

    ca = TestCA(folder)                      # ca.pem to trust (GUICHET_STATUS_CA_FILE)
    cert = ca.issue("127.0.0.1", days=90)    # or days=-1 (expired), names=("autre.example",)
    with TLSServer("imap", cert) as server:   # server.port on 127.0.0.1
        ...
    with TLSServer("imap", cert, slow=True):  # accepts, then never says a word
    closed_port()                             # a port nobody listens on

TLSServer("imap" | "smtp", cert, starttls=True) speaks in clear until STARTTLS (143, 587).
server.fail() makes it answer as a broken service would (HTTP 503, IMAP BYE, SMTP 554),
server.recover() undoes it. The IMAP server accepts LOGIN and AUTHENTICATE XOAUTH2 for
`server.accounts` ({identifier: password-or-token}).
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import socketserver
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from testing.net import free_port


@dataclass
class Cert:
    cert_file: Path
    key_file: Path
    not_after: datetime


class TestCA:
    __test__ = False  # not a pytest class

    def __init__(self, folder: Path):
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Guichet test CA")])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=400))
            .not_valid_after(now + timedelta(days=400))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._count = 0

    def issue(self, *names: str, days: int = 90) -> Cert:
        names = names or ("127.0.0.1",)
        self._count += 1
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        not_after = now + timedelta(days=days)
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(now - timedelta(days=1), not_after - timedelta(days=30)))
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_file = self.folder / f"leaf{self._count}.pem"
        key_file = self.folder / f"leaf{self._count}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return Cert(cert_file, key_file, cert.not_valid_after_utc)


def closed_port() -> int:
    """Bound then closed at once: nothing listens there for the test's duration."""
    return free_port()


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self):
        server: TLSServer = self.server.owner  # type: ignore[attr-defined]
        if server.slow:
            server.release.wait(timeout=30)  # never a word until the test ends
            return
        self.tls = False
        if not server.starttls and not self._wrap(server):
            return
        with contextlib.suppress(OSError, ssl.SSLError):
            getattr(self, f"_{server.protocol}")(server)

    def _wrap(self, server) -> bool:
        try:
            self.connection = self.request = server.context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError):
            return False  # the client refused our certificate: that is the test
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb", buffering=0)
        self.tls = True
        return True

    def _line(self) -> str:
        return self.rfile.readline(4096).decode("utf-8", "replace").rstrip("\r\n")

    def _send(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def _https(self, server):
        while self._line():
            pass
        status = "503 Service Unavailable" if server.failing else "200 OK"
        body = b"<!doctype html><title>Webmail</title>"
        self.wfile.write(
            f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )

    def _imap(self, server):
        if server.failing:
            self._send("* BYE Service temporarily unavailable")
            return
        self._send(f"* OK [CAPABILITY {self._imap_caps()}] Test IMAP ready")
        while True:
            line = self._line()
            if not line:
                return
            tag, _, rest = line.partition(" ")
            command = rest.split(" ")[0].upper()
            if command == "CAPABILITY":
                self._send(f"* CAPABILITY {self._imap_caps()}")
                self._send(f"{tag} OK CAPABILITY completed")
            elif command == "STARTTLS" and not self.tls:
                self._send(f"{tag} OK Begin TLS negotiation now")
                if not self._wrap(server):
                    return
            elif command == "LOGIN":
                words = rest.split(" ")
                user, secret = (w.strip('"') for w in words[1:3])
                self._auth(server, tag, user, secret)
            elif command == "AUTHENTICATE":
                self._send("+ ")
                decoded = base64.b64decode(self._line()).decode("utf-8", "replace")
                fields = dict(p.split("=", 1) for p in decoded.split("\x01") if "=" in p)
                self._auth(server, tag, fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer "))
            elif command == "LOGOUT":
                self._send("* BYE Logging out")
                self._send(f"{tag} OK LOGOUT completed")
                return
            else:
                self._send(f"{tag} BAD Unknown command")

    def _imap_caps(self) -> str:
        return "IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2" if self.tls else "IMAP4rev1 STARTTLS LOGINDISABLED"

    def _auth(self, server, tag, user, secret):
        server.logins.append(user)
        if server.accounts.get(user) == secret:
            self._send(f"{tag} OK Logged in")
        else:
            self._send(f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed.")

    def _smtp(self, server):
        if server.failing:
            self._send("554 Service unavailable")
            return
        self._send("220 test.example ESMTP ready")
        while True:
            line = self._line().upper()
            if not line:
                return
            if line.startswith(("EHLO", "HELO")):
                self._send("250-test.example")
                self._send("250 AUTH PLAIN" if self.tls else "250 STARTTLS")
            elif line.startswith("STARTTLS") and not self.tls:
                self._send("220 Ready to start TLS")
                if not self._wrap(server):
                    return
            elif line.startswith("QUIT"):
                self._send("221 Bye")
                return
            else:
                self._send("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TLSServer:
    host = "127.0.0.1"

    def __init__(self, protocol: str, cert: Cert, *, slow: bool = False, starttls: bool = False, port: int = 0):
        self.protocol, self.slow, self.starttls = protocol, slow, starttls
        self.failing = False
        self.accounts: dict[str, str] = {}
        self.logins: list[str] = []
        self.release = threading.Event()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert.cert_file, cert.key_file)
        self._server = _Server((self.host, port), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    def fail(self) -> None:
        self.failing = True

    def recover(self) -> None:
        self.failing = False

    def __enter__(self) -> TLSServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="tls-server", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
