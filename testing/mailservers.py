"""Real mail servers for the connection test's tests: a private Dovecot 2.3 with TLS (implicit
on one port, STARTTLS on another, or no TLS at all) and aiosmtpd offering STARTTLS. Everything
lives in a temporary folder and listens on 127.0.0.1; see testing/dovecot.py for how the
suite runs Dovecot without touching the system's."""

import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testing.dovecot import _users, serving
from testing.net import free_port


@dataclass
class MailServer:
    imap_port: int  # plain IMAP, with STARTTLS when TLS is on
    imaps_port: int  # implicit TLS (0 when TLS is off)
    folder: Path


def _config(folder: Path, imap: int, imaps: int, tls: bool, users: dict[str, str], ids: str) -> str:
    chroot = "" if os.geteuid() == 0 else "  chroot =\n"
    lines = "\n".join(f"{name} = {value}" for name, value in users.items())
    ssl_lines = f"ssl = yes\nssl_cert = <{folder}/cert.pem\nssl_key = <{folder}/key.pem\n" if tls else "ssl = no\n"
    imaps_listener = (
        f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps}\n    ssl = yes\n  }}\n"
        if tls
        else "  inet_listener imaps {\n    port = 0\n  }\n"
    )
    return f"""# Written by testing/mailservers.py for one test.
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
{lines}
protocols = imap
listen = 127.0.0.1
{ssl_lines}disable_plaintext_auth = yes
auth_mechanisms = plain
mail_location = maildir:{folder}/mail/%u
service anvil {{
{chroot}}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
{imaps_listener}}}
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = {ids} home={folder}/home/%u
}}
"""


@contextmanager
def dovecot(cert_pem: bytes | None = None, key_pem: bytes | None = None) -> Iterator[MailServer]:
    """Dovecot with this certificate (implicit TLS and STARTTLS), or without TLS if none."""
    folder = Path(tempfile.mkdtemp(prefix="guichet-mailconfig-"))
    try:
        folder.chmod(0o755)
        tls = cert_pem is not None and key_pem is not None
        if cert_pem is not None and key_pem is not None:
            (folder / "cert.pem").write_bytes(cert_pem)
            (folder / "key.pem").write_bytes(key_pem)
        users, ids = _users()
        imap, imaps = free_port(), free_port() if tls else 0
        (folder / "dovecot.conf").write_text(_config(folder, imap, imaps, tls, users, ids))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with serving(folder, imap):
        yield MailServer(imap, imaps, folder)


@contextmanager
def smtp_starttls(cert_file: Path, key_file: Path) -> Iterator[int]:
    """aiosmtpd on a free loopback port, offering STARTTLS with this certificate."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_file), str(key_file))
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
