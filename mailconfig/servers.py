"""A platform's mail-client settings as the pages and the files use them.

The set-up stores them as plain data (institutions/mail_servers.py checks it); this module
turns that data into typed values and answers the questions every client format asks:
which platform serves this address, what is the username, which OIDC client to offer.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from institutions import queries, routing
from institutions.models import Client, Platform

PROTOCOL_NAMES = {"imap": "IMAP", "pop3": "POP", "smtp": "SMTP"}
SECURITY_NAMES = {"tls": _("SSL/TLS (chiffrement direct)"), "starttls": "STARTTLS"}


@dataclass(frozen=True)
class Server:
    protocol: str  # imap, pop3, smtp
    host: str
    port: int
    security: str  # tls (implicit) or starttls

    @property
    def protocol_name(self) -> str:
        return PROTOCOL_NAMES[self.protocol]

    @property
    def security_name(self) -> str:
        return str(SECURITY_NAMES[self.security])

    @property
    def incoming(self) -> bool:
        return self.protocol != "smtp"


@dataclass(frozen=True)
class MailSettings:
    platform: Platform
    incoming: tuple[Server, ...]
    outgoing: tuple[Server, ...]
    username_form: str  # address or local-part
    auth: tuple[str, ...]
    oauth2_client_id: str = ""
    autodiscover: bool = True
    domains: tuple[str, ...] = field(default=())

    @property
    def confirmed(self) -> bool:
        return self.platform.mail_servers_confirmed

    @property
    def imap(self) -> Server | None:
        return next((s for s in self.incoming if s.protocol == "imap"), None)

    @property
    def pop3(self) -> Server | None:
        return next((s for s in self.incoming if s.protocol == "pop3"), None)

    @property
    def smtp(self) -> Server | None:
        return self.outgoing[0] if self.outgoing else None

    @property
    def servers(self) -> tuple[Server, ...]:
        return self.incoming + self.outgoing

    @property
    def oauth2(self) -> bool:
        return "oauth2" in self.auth and bool(self.oauth2_client_id)

    def username(self, address: str) -> str:
        """What to type as the username, for one address ("" when not known)."""
        if not address:
            return ""
        return address.split("@", 1)[0] if self.username_form == "local-part" else address

    def allows(self, server: Server) -> bool:
        """Is this end point one the set-up declares? (The connection test checks nothing else.)"""
        return server in self.servers


def _oauth2_client_id(slug: str) -> str:
    if not slug:
        return ""
    client = Client.objects.filter(slug=slug, protocol="oidc").first()
    if client is None or "mail" not in (client.config.get("scopes") or []):
        return ""  # no such client, or one whose tokens cannot open a mailbox
    return str(client.config.get("client_id") or "")


def for_platform(platform: Platform) -> MailSettings | None:
    data = platform.mail_servers
    if not data:
        return None

    def servers(key: str) -> tuple[Server, ...]:
        return tuple(Server(s["protocol"], s["host"], int(s["port"]), s["security"]) for s in data.get(key, []))

    domains = tuple(sorted(d.domain for public in platform.publics.all() for d in public.domains.all()))
    return MailSettings(
        platform=platform,
        incoming=servers("incoming"),
        outgoing=servers("outgoing"),
        username_form=data.get("username", "address"),
        auth=tuple(data.get("auth", ["password"])),
        oauth2_client_id=_oauth2_client_id(data.get("oauth2_client", "")),
        autodiscover=bool(data.get("autodiscover", True)),
        domains=domains,
    )


def platform_for_domain(domain: str) -> Platform | None:
    public = queries.domain_map().get((domain or "").strip().lower().rstrip("."))
    return public.platform if public else None


def for_address(address: str) -> MailSettings | None:
    """The settings for an address's domain; the address itself is never looked up."""
    result = queries.route(address or "")
    if result.status != routing.MATCHED or result.target is None:
        return None
    platform = queries.platforms().get(pk=result.target.platform_id)
    return for_platform(platform)


def for_domain(domain: str) -> MailSettings | None:
    platform = platform_for_domain(domain)
    return for_platform(queries.platforms().get(pk=platform.pk)) if platform else None


def address_belongs(settings: MailSettings, address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower() if "@" in address else ""
    return domain in settings.domains
