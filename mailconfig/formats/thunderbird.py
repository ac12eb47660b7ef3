"""Thunderbird autoconfig (config-v1.1.xml), as specified by draft-ietf-mailmaint-autoconfig.

The file never names a person: usernames are the placeholders the client fills in itself
(%EMAILADDRESS%, %EMAILLOCALPART%), so the answer is the same for every address of a domain,
known or not.
"""

from xml.etree import ElementTree as ET

from ..servers import MailSettings
from . import Context

CONTENT_TYPE = "application/xml; charset=utf-8"
SOCKET_TYPES = {"tls": "SSL", "starttls": "STARTTLS"}
PLACEHOLDERS = {"address": "%EMAILADDRESS%", "local-part": "%EMAILLOCALPART%"}


def _add(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text:
        child.text = text
    return child


def render(settings: MailSettings, context: Context) -> bytes:
    platform = settings.platform
    root = ET.Element("clientConfig", {"version": "1.1"})
    provider = _add(root, "emailProvider", id=settings.domains[0] if settings.domains else platform.slug)
    for domain in settings.domains:
        _add(provider, "domain", domain)
    _add(provider, "displayName", f"{platform.name} — {platform.institution.name_fr}")
    _add(provider, "displayShortName", platform.name)
    # Password first: a client picks the first method it supports, and not every client can
    # use a custom OAuth2 issuer (docs/imap-oauth2.md).
    methods = ["password-cleartext"] + (["OAuth2"] if settings.oauth2 and context.oauth2 else [])
    for server in settings.servers:
        tag = "incomingServer" if server.incoming else "outgoingServer"
        section = _add(provider, tag, type=server.protocol)
        _add(section, "hostname", server.host)
        _add(section, "port", str(server.port))
        _add(section, "socketType", SOCKET_TYPES[server.security])
        for method in methods:
            _add(section, "authentication", method)
        _add(section, "username", PLACEHOLDERS[settings.username_form])
    if context.guide_url:
        doc = _add(provider, "documentation", url=context.guide_url)
        _add(doc, "descr", "Configurer votre logiciel de messagerie", lang="fr")
        _add(doc, "descr", "Set up your mail program", lang="en")
    if settings.oauth2 and context.oauth2:
        oauth = _add(root, "oAuth2")
        _add(oauth, "authURL", context.oauth2.auth_url)
        _add(oauth, "tokenURL", context.oauth2.token_url)
        _add(oauth, "issuer", context.oauth2.issuer)
        _add(oauth, "scope", " ".join(context.oauth2.scopes))
        _add(oauth, "clientID", settings.oauth2_client_id)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
