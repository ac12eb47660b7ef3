"""What every probe module shares: its input (Spec), what it saw (Seen), its refusal."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    host: str
    port: int
    path: str = "/"
    starttls: bool = False
    timeout: float = 10.0
    login: str = ""
    secret_file: str = ""
    auth: str = "password"


@dataclass(frozen=True)
class Seen:
    banner: str = ""
    der: bytes | None = None
    detail: str = ""


class ProbeFailure(Exception):
    """The server answered, but not as a working service would (HTTP 503, IMAP BYE…)."""

    def __init__(self, code: str, detail: str = "", *, der: bytes | None = None, banner: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.der, self.banner = code, detail, der, banner


def one_line(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())[:300]


def peer_certificate(sock: socket.socket | None) -> bytes | None:
    """The server's certificate (DER) on a TLS socket; None on a plain one (the stdlib clients
    type their socket as a plain socket, though after TLS it is an SSLSocket)."""
    return sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
