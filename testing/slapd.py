"""A real OpenLDAP slapd for the tests (pytest plugin).

Enable it with `pytest_plugins = ["testing.slapd"]` in the root conftest, or
`pytest -p testing.slapd`. Fixtures:

- `slapd` (session): a slapd of its own on `ldap://127.0.0.1:<free port>`, started on
  first use and stopped at the end of the session. The value is a `SlapdServer`: `url`,
  `base_dn` (`ou=people,dc=guichet,dc=test`), `bind_dn` / `bind_password` (the service
  account), `passwords` (uid → clear password of every seeded person, random per run),
  `options()` (the LdapDirectory options), `root_connection()` (an ldap3 connection as
  the rootdn, for checks), and for StartTLS `tls_url` (`ldap://localhost:<port>`, the
  certificate's name) and `ca_file`;
- `slapd_settings`: the `slapd` above, with `settings.GUICHET_DIRECTORIES["ldap"]`
  pointing at it for the test (pytest-django's `settings`).

`running_slapd()` starts a short-lived instance of one's own (e.g. to stop it mid-test).

The directory (slapd.conf, mdb, in a temporary directory):

- schemas core, cosine, inetorgperson and nis from /etc/ldap/schema, and `supann.schema`
  here (eduPerson / SupAnn attribute names, test OIDs under 1.3.6.1.4.1.99999);
- suffix `dc=guichet,dc=test`, rootdn `cn=admin,dc=guichet,dc=test` (random password);
- `cn=guichet,ou=services,dc=guichet,dc=test`: the service account, reads everything but
  password hashes, may replace any `userPassword`; people may replace their own; anonymous
  may only bind;
- the people of `people.ldif` under `ou=people`, each given a random `{SSHA}` password;
- StartTLS with a certificate for `localhost` signed by a CA made for the run.

Needs Debian's `slapd` package (/usr/sbin/slapd, slapadd); a missing one FAILS the tests
that use it, with the command to install it: these tests are never skipped.
"""

import base64
import datetime
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from ldap3 import NONE, Connection, Server

from testing.net import free_port

if TYPE_CHECKING:
    from cryptography import x509

HERE = Path(__file__).resolve().parent
SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SYSTEM_SCHEMAS = Path("/etc/ldap/schema")
SCHEMAS = [SYSTEM_SCHEMAS / f"{name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")] + [
    HERE / "supann.schema"
]
PEOPLE_LDIF = HERE / "people.ldif"

SUFFIX = "dc=guichet,dc=test"
PEOPLE_DN = f"ou=people,{SUFFIX}"
SERVICE_DN = f"cn=guichet,ou=services,{SUFFIX}"
ROOT_DN = f"cn=admin,{SUFFIX}"

READY_ATTEMPTS, READY_INTERVAL = 50, 0.1
PORT_ATTEMPTS = 3

MISSING = (
    "OpenLDAP's slapd is needed by the LDAP directory tests and {path} is missing. "
    "Install Debian's packages: apt-get install slapd ldap-utils (scripts/system-deps does it as root)."
)


class SlapdError(RuntimeError):
    """slapd could not be prepared or started; the message says why."""


def ssha(password: str) -> str:
    """`{SSHA}` (salted SHA-1) as slapd stores it: base64(sha1(password + salt) + salt)."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 - the LDAP scheme, test data only
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


@dataclass
class SlapdServer:
    url: str
    tls_url: str
    port: int
    ca_file: str
    bind_password: str
    root_password: str
    passwords: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    suffix: str = SUFFIX
    base_dn: str = PEOPLE_DN
    bind_dn: str = SERVICE_DN
    root_dn: str = ROOT_DN

    def options(self, **overrides: object) -> dict[str, object]:
        """What LdapDirectory takes (and settings.GUICHET_DIRECTORIES["ldap"] holds)."""
        return {
            "url": self.url,
            "base_dn": self.base_dn,
            "bind_dn": self.bind_dn,
            "bind_password": self.bind_password,
            "start_tls": False,
        } | overrides

    def root_connection(self) -> Connection:
        """Bound as the rootdn (no ACL applies); the caller unbinds."""
        conn = Connection(Server(self.url, get_info=NONE), self.root_dn, self.root_password, raise_exceptions=True)
        conn.bind()
        return conn

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _ca_key_usage() -> "x509.KeyUsage":
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=True,
        crl_sign=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )


def _write_tls(workdir: Path) -> tuple[Path, Path, Path]:
    """A CA for the run and a certificate for localhost it signs (EC keys: milliseconds)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    validity = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name("Guichet test CA"))
        .issuer_name(name("Guichet test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = workdir / "ca.pem", workdir / "server.pem", workdir / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def _config(workdir: Path, root_password: str, tls: tuple[Path, Path, Path]) -> str:
    ca_file, cert_file, key_file = tls
    includes = "\n".join(f"include {path}" for path in SCHEMAS)
    return f"""\
{includes}
pidfile {workdir}/slapd.pid
argsfile {workdir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
loglevel 0
password-hash {{SSHA}}
TLSCACertificateFile {ca_file}
TLSCertificateFile {cert_file}
TLSCertificateKeyFile {key_file}

database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ssha(root_password)}
directory {workdir}/data
index objectClass eq
index uid,mail,eduPersonPrincipalName eq

# Passwords: people replace their own, the service account replaces anyone's without
# reading the hashes (=w), anonymous may only bind.
access to attrs=userPassword
    by self write
    by dn.exact="{SERVICE_DN}" =w
    by anonymous auth
    by * none
access to *
    by dn.exact="{SERVICE_DN}" read
    by self read
    by * none
"""


def _seed(bind_password: str, passwords: dict[str, str]) -> str:
    """The tree, the service account, and people.ldif with a userPassword per uid."""
    base = f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: guichet
o: Guichet tests

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=services,{SUFFIX}
objectClass: organizationalUnit
ou: services

dn: {SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: guichet
description: Guichet's service account
userPassword: {ssha(bind_password)}
"""
    people = []
    for block in PEOPLE_LDIF.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        if not lines:
            continue
        uid = next((line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("uid:")), None)
        if uid:
            passwords[uid] = secrets.token_urlsafe(12)
            lines.append(f"userPassword: {ssha(passwords[uid])}")
        people.append("\n".join(lines))
    return base + "\n" + "\n\n".join(people) + "\n"


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    if done.returncode:
        raise SlapdError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def _answers(url: str, password: str) -> bool:
    with suppress(Exception):
        conn = Connection(Server(url, get_info=NONE, connect_timeout=0.5), SERVICE_DN, password, receive_timeout=1)
        try:
            return bool(conn.bind())
        finally:
            with suppress(Exception):
                conn.unbind()
    return False


def _start(server: SlapdServer, config: Path) -> None:
    """slapd in the foreground on a free port; returns once the service account can bind.

    `-d none` keeps it in the foreground and prints only what is always printed (start,
    stop, errors such as a port already taken), for the failure message.
    """
    log_path = server.workdir / "slapd.log"
    for _attempt in range(PORT_ATTEMPTS):
        server.port = free_port()
        server.url = f"ldap://127.0.0.1:{server.port}"
        server.tls_url = f"ldap://localhost:{server.port}"
        with log_path.open("wb") as log:
            server.process = subprocess.Popen(  # noqa: S603
                [str(SLAPD), "-h", f"{server.url}/", "-f", str(config), "-d", "none"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(READY_ATTEMPTS):
            if server.process.poll() is not None:
                break
            if _answers(server.url, server.bind_password):
                return
            time.sleep(READY_INTERVAL)
        else:
            server.stop()
            raise SlapdError(
                f"slapd did not answer on {server.url} within {READY_ATTEMPTS * READY_INTERVAL:.0f} s: "
                f"{log_path.read_text(errors='replace').strip()}"
            )
        # Exited early: most likely the port was taken between free_port() and the bind.
        server.process = None
    raise SlapdError(f"slapd exited at start ({PORT_ATTEMPTS} ports tried): {log_path.read_text(errors='replace')}")


@contextmanager
def running_slapd(extra_entries: str = "") -> Iterator[SlapdServer]:
    """A seeded slapd of its own, stopped and wiped on exit. Raises SlapdError when it cannot.
    `extra_entries` (LDIF) is loaded with the seed (the bench's thousand people)."""
    for binary in (SLAPD, SLAPADD):
        if not os.access(binary, os.X_OK):
            raise SlapdError(MISSING.format(path=binary))
    for schema in SCHEMAS:
        if not schema.exists():
            raise SlapdError(MISSING.format(path=schema))
    workdir = Path(tempfile.mkdtemp(prefix="guichet-slapd-"))
    server = SlapdServer(
        url="",
        tls_url="",
        port=0,
        ca_file="",
        bind_password=secrets.token_urlsafe(16),
        root_password=secrets.token_urlsafe(16),
        passwords={},
        workdir=workdir,
    )
    try:
        (workdir / "data").mkdir()
        tls = _write_tls(workdir)
        server.ca_file = str(tls[0])
        config = workdir / "slapd.conf"
        config.write_text(_config(workdir, server.root_password, tls))
        seed = workdir / "seed.ldif"
        seed.write_text(_seed(server.bind_password, server.passwords) + "\n" + extra_entries, encoding="utf-8")
        _run([str(SLAPADD), "-q", "-f", str(config), "-l", str(seed)], "slapadd (loading the seed entries)")
        _start(server, config)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def slapd() -> Iterator[SlapdServer]:
    """The session's slapd (see the module docstring). Fails, never skips, without slapd."""
    try:
        with running_slapd() as server:
            yield server
    except SlapdError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def slapd_settings(slapd: SlapdServer, settings: Any) -> SlapdServer:
    """The session's slapd, and settings.GUICHET_DIRECTORIES["ldap"] pointing at it."""
    settings.GUICHET_DIRECTORIES = {**settings.GUICHET_DIRECTORIES, "ldap": slapd.options()}
    return slapd
