"""LDAP directory: an institution's people and passwords live in its LDAP server.

Written for the eduPerson and SupAnn attributes of French universities' directories
(OpenLDAP, 389-DS), every name overridable. Options, from settings.GUICHET_DIRECTORIES
(key "ldap", or the institution's slug):

- url: `ldap://host:389` or `ldaps://host:636`;
- base_dn: where people are searched (whole subtree), e.g. `ou=people,dc=univ-poitiers,dc=fr`;
- bind_dn, bind_password: the service account. It searches and reads people, and needs
  write access to `userPassword` for `set_password`. Empty bind_dn: anonymous search;
- start_tls: upgrade `ldap://` with StartTLS before any bind; a refusal or an unverified
  certificate makes the directory unavailable, never a clear-text fallback. The url must
  name the host as its certificate does;
- ca_file: the CA bundle that signs the server's certificate (default: the system's);
- connect_timeout (3 s), receive_timeout (5 s, whole seconds; also the search's time limit);
- login_attributes: what a person may type, default `uid`, `eduPersonPrincipalName`, `mail`;
- object_filter: which entries are people, default `(objectClass=inetOrgPerson)`;
- attributes: overrides of the mapping below, `{field: attribute or [attributes...]}`.

Mapping to DirectoryEntry: the first attribute present wins, single-valued fields take
the attribute's first value.

    identifier       mail, eduPersonPrincipalName, uid (lower case)
    display_name     displayName, cn
    mail             mail (lower case)
    secondary_email  supannMailPerso (lower case)
    mobile           mobile (as stored; the caller normalises it)
    affiliations     eduPersonAffiliation: every value, lower case, sorted, no duplicates
    upn              userPrincipalName (Active Directory; WS-Federation claims for Exchange)
    sid              objectSid, binary on the wire, as its S-1-5-21-… string form
    immutable_id     mS-DS-ConsistencyGuid, objectGUID: base64 of the 16 bytes (Entra ID)

The identifier is the full address a person types: the mail when the entry has one, so
whichever form they typed (login, eduPersonPrincipalName or mail, any case) the same
Account row mirrors the entry; eduPersonPrincipalName (login@domain) when there is no
mail; the bare uid last.

Authentication: the service account searches
`(&<object_filter>(|(uid=x)(eduPersonPrincipalName=x)(mail=x)))`, x escaped (RFC 4515), and
wants exactly one entry: two entries answering to the same identifier is a directory error,
refused and logged, never a guess. Then a simple bind as that entry's DN with the password,
on a connection of its own. Both connections are kept by the worker thread and reused
(ldap_pool.py): the service account is bound once, not at each sign-in. An empty password
is refused before any network: a simple bind with a DN and no password is an
"unauthenticated bind", which servers accept.

`set_password` uses the service account and the Password Modify extended operation
(RFC 3062), so the server hashes the password with its own scheme.

Passwords go to the server as the UTF-8 bytes typed, in binds and changes alike, as
other LDAP clients (webmail, IMAP, PAM) send them: no SASLprep, which ldap3 applies to
text (a no-break space would be stored as a space, "Ⅳ" as "IV", and the password set
here would then fail in the webmail).

Unreachable server, timeout, TLS failure, refused service account or unexpected answer:
DirectoryUnavailable, logged here with the reason. Passwords are never logged.
"""

import base64
import hashlib
import logging
import math
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from ldap3 import NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from . import ldap_pool
from .base import LOOKUP, Directory, DirectoryEntry, DirectoryUnavailable, Known

if TYPE_CHECKING:
    from institutions.models import Institution

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MAPPING: dict[str, tuple[str, ...]] = {
    "identifier": ("mail", "eduPersonPrincipalName", "uid"),
    "display_name": ("displayName", "cn"),
    "mail": ("mail",),
    "secondary_email": ("supannMailPerso",),
    "mobile": ("mobile",),
    "affiliations": ("eduPersonAffiliation",),
    "upn": ("userPrincipalName",),
    "sid": ("objectSid",),
    "immutable_id": ("mS-DS-ConsistencyGuid", "objectGUID"),
}
DEFAULT_LOGIN_ATTRIBUTES = ("uid", "eduPersonPrincipalName", "mail")
DEFAULT_OBJECT_FILTER = "(objectClass=inetOrgPerson)"
CONNECT_TIMEOUT = 3.0
RECEIVE_TIMEOUT = 5
# Longer than any address (254); a longer "identifier" is not one, no need to ask.
MAX_IDENTIFIER_LENGTH = 256

# LDAP result codes (RFC 4511).
SUCCESS, SIZE_LIMIT_EXCEEDED = 0, 4
# A person's bind answered with one of these: this password or this account is refused
# (invalidCredentials, inappropriateAuthentication, insufficientAccessRights,
# unwillingToPerform: locked or disabled accounts). Anything else: the server is in trouble.
REFUSED_BIND = {48, 49, 50, 53}


def _as_tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def sid_string(raw: bytes | str) -> str:
    """An objectSid (MS-DTYP §2.4.2.2: revision, sub-authority count, 48-bit big-endian
    authority, little-endian 32-bit sub-authorities) as S-1-5-21-…; text is kept as it is."""
    if isinstance(raw, str):
        return raw.strip()
    if len(raw) < 8 or len(raw) != 8 + 4 * raw[1]:
        return ""
    authority = int.from_bytes(raw[2:8], "big")
    subs = [int.from_bytes(raw[8 + 4 * i : 12 + 4 * i], "little") for i in range(raw[1])]
    return "-".join(["S", str(raw[0]), str(authority), *map(str, subs)])


def _base64(raw: bytes | str) -> str:
    """A binary GUID as Entra ID's immutable ID (base64 of its 16 bytes); text as it is."""
    return base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw.strip()


def _raw_first(attributes: Mapping[str, Any], names: tuple[str, ...]) -> bytes | str:
    by_name = {key.lower(): value for key, value in attributes.items()}
    for name in names:
        raw = by_name.get(name.lower())
        if raw:
            return raw if isinstance(raw, str | bytes) else next(iter(raw))
    return ""


def _values(attributes: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    """The non-empty values of the first of `names` the entry has (names are case-insensitive)."""
    by_name = {key.lower(): value for key, value in attributes.items()}
    for name in names:
        raw = by_name.get(name.lower())
        if raw is None:
            continue
        items = [raw] if isinstance(raw, str | bytes) else list(raw)
        values = [(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)).strip() for v in items]
        values = [v for v in values if v]
        if values:
            return values
    return []


class LdapDirectory(Directory):
    name = "ldap"

    def __init__(self, institution: "Institution", **options: Any) -> None:
        super().__init__(institution, **options)
        # ldap3 takes scheme://host[:port] only: `ldap://host/` (a trailing slash) is common.
        self.url = (options.get("url") or "").strip().rstrip("/")
        self.base_dn = options.get("base_dn") or ""
        self.bind_dn = options.get("bind_dn") or ""
        self.bind_password = options.get("bind_password") or ""
        self.start_tls = bool(options.get("start_tls", False))
        self.ca_file = options.get("ca_file") or None
        self.connect_timeout = float(options.get("connect_timeout") or CONNECT_TIMEOUT)
        # Whole seconds: ldap3 packs it into SO_RCVTIMEO as an integer (a float raises).
        self.receive_timeout = max(1, math.ceil(float(options.get("receive_timeout") or RECEIVE_TIMEOUT)))
        self.login_attributes = _as_tuple(options.get("login_attributes") or DEFAULT_LOGIN_ATTRIBUTES)
        self.object_filter = options.get("object_filter") or DEFAULT_OBJECT_FILTER
        self.mapping = dict(DEFAULT_MAPPING)
        for field_name, names in (options.get("attributes") or {}).items():
            if field_name not in DEFAULT_MAPPING:
                raise ImproperlyConfigured(f"LDAP attribute mapping: unknown field {field_name!r}")
            self.mapping[field_name] = _as_tuple(names)

    # The Directory interface.

    def authenticate(self, identifier: str, password: str, *, known: Known = LOOKUP) -> DirectoryEntry | None:
        if not password:
            return None
        found = self._pooled("service", self._open_service, lambda conn: self._search(conn, identifier))
        if found is None:
            return None
        dn, entry = found
        accepted = self._pooled("bind", self._open, lambda conn: self._bind_as(conn, dn, password.encode()))
        return entry if accepted else None

    def lookup(self, identifier: str) -> DirectoryEntry | None:
        found = self._pooled("service", self._open_service, lambda conn: self._search(conn, identifier))
        return found[1] if found else None

    def set_password(self, identifier: str, password: str) -> None:
        """Through the service account; raises DirectoryUnavailable also for an unknown identifier."""
        if not password:
            raise ValueError("An empty password cannot be set.")
        # Rare, and the only write: a connection of its own, not a kept read-only one.
        with self._guard():
            conn = self._open_service(read_only=False)
            try:
                dn = self._modify_password(conn, identifier, password)
            finally:
                ldap_pool.close(conn)
        logger.info("LDAP password changed for %s", dn)

    def _modify_password(self, conn: Connection, identifier: str, password: str) -> str:
        found = self._search(conn, identifier)
        if found is None:
            raise DirectoryUnavailable("No single LDAP entry for this identifier.")
        dn = found[0]
        conn.extend.standard.modify_password(user=dn, new_password=password.encode())
        result = conn.result or {}
        if result.get("result") != SUCCESS:
            logger.error("LDAP password change for %s refused by %s: %s", dn, self.url, result.get("description"))
            raise DirectoryUnavailable(f"LDAP password change refused: {result.get('description')}")
        return dn

    # Connections: kept per worker thread (ldap_pool), the service account bound once.

    def _pooled(self, role: str, open_connection: Callable[[], Connection], operation: Callable[[Connection], T]) -> T:
        """`operation` on this thread's kept connection for `role`; once more on a fresh one
        when a kept connection fails (the server restarted or dropped it while idle)."""
        secret = hashlib.sha256(self.bind_password.encode()).hexdigest()
        key = (role, self.url, self.bind_dn, secret, self.start_tls, self.ca_file, self.connect_timeout)
        while True:
            reused = False
            try:
                with self._guard(), ldap_pool.lease((*key, self.receive_timeout), open_connection) as lease:
                    reused = lease.reused
                    return operation(lease.conn)
            except DirectoryUnavailable:
                if not reused:
                    raise
                logger.info("LDAP kept connection to %s failed: trying a fresh one", self.url)

    def _bind_as(self, conn: Connection, dn: str, password: bytes) -> bool:
        """A simple bind as the person on the kept bind connection (never used to search)."""
        conn.authentication, conn.user, conn.password = SIMPLE, dn, password
        try:
            if conn.bind():
                return True
        finally:
            conn.password = None  # no password stays in memory with a kept connection
        result = conn.result or {}
        if result.get("result") in REFUSED_BIND:
            logger.info("LDAP bind refused for %s: %s", dn, result.get("description"))
            return False
        logger.error("LDAP bind for %s failed on %s: %s", dn, self.url, result.get("description"))
        raise DirectoryUnavailable(f"LDAP bind failed: {result.get('description')}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Network and protocol failures become DirectoryUnavailable."""
        try:
            yield
        except (LDAPException, OSError) as exc:
            logger.warning("LDAP directory %s unavailable: %s: %s", self.url, type(exc).__name__, exc)
            raise DirectoryUnavailable(f"LDAP directory unavailable: {type(exc).__name__}") from exc

    def _open(self, *, read_only: bool = True) -> Connection:
        """A connection open (and TLS-protected when asked) but not bound yet."""
        if not self.url:
            logger.error("LDAP directory for %s has no url configured", getattr(self.institution, "slug", "?"))
            raise DirectoryUnavailable("LDAP directory not configured.")
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.ca_file)
        server = Server(self.url, get_info=NONE, connect_timeout=self.connect_timeout, tls=tls)
        conn = Connection(
            server,
            read_only=read_only,
            raise_exceptions=False,
            auto_referrals=False,
            receive_timeout=self.receive_timeout,
        )
        try:
            conn.open()
            if self.start_tls and not server.ssl and not conn.start_tls():
                raise DirectoryUnavailable("StartTLS failed.")
        except BaseException:
            ldap_pool.close(conn)
            raise
        return conn

    def _open_service(self, *, read_only: bool = True) -> Connection:
        """A connection bound as the service account (anonymous when no bind_dn is set)."""
        conn = self._open(read_only=read_only)
        if not self.bind_dn:
            return conn
        conn.authentication, conn.user, conn.password = SIMPLE, self.bind_dn, self.bind_password.encode()
        if not conn.bind():
            description = (conn.result or {}).get("description")
            ldap_pool.close(conn)
            logger.error("LDAP service account %r refused by %s: %s", self.bind_dn, self.url, description)
            raise DirectoryUnavailable("LDAP service account refused.")
        return conn

    # Searching and mapping.

    def _search(self, conn: Connection, identifier: str) -> tuple[str, DirectoryEntry] | None:
        """The one entry answering to `identifier`, with its DN; None for none or several."""
        typed = (identifier or "").strip()
        if not typed or len(typed) > MAX_IDENTIFIER_LENGTH:
            return None
        value = escape_filter_chars(typed)
        alternatives = "".join(f"({name}={value})" for name in self.login_attributes)
        conn.search(
            self.base_dn,
            f"(&{self.object_filter}(|{alternatives}))",
            search_scope=SUBTREE,
            attributes=sorted({name for names in self.mapping.values() for name in names}),
            size_limit=2,
            time_limit=self.receive_timeout,
        )
        result = conn.result or {}
        if result.get("result") not in (SUCCESS, SIZE_LIMIT_EXCEEDED):
            logger.error("LDAP search under %r failed on %s: %s", self.base_dn, self.url, result.get("description"))
            raise DirectoryUnavailable(f"LDAP search failed: {result.get('description')}")
        found = [item for item in conn.response or [] if item.get("type") == "searchResEntry"]
        if len(found) > 1:
            logger.warning("LDAP identifier answered by several entries, refused: %s", [i["dn"] for i in found])
            return None
        if not found:
            return None
        return found[0]["dn"], self._entry(found[0]["attributes"], typed)

    def _entry(self, attributes: Mapping[str, Any], typed: str) -> DirectoryEntry:
        def first(field_name: str) -> str:
            values = _values(attributes, self.mapping[field_name])
            return values[0] if values else ""

        affiliations = {value.lower() for value in _values(attributes, self.mapping["affiliations"])}
        return DirectoryEntry(
            identifier=(first("identifier") or typed).lower(),
            display_name=first("display_name"),
            mail=first("mail").lower(),
            secondary_email=first("secondary_email").lower(),
            mobile=first("mobile"),
            affiliations=tuple(sorted(affiliations)),
            upn=first("upn"),
            sid=sid_string(_raw_first(attributes, self.mapping["sid"])),
            immutable_id=_base64(_raw_first(attributes, self.mapping["immutable_id"])),
        )
