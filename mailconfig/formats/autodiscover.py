"""Outlook's POX Autodiscover (the "outlook" response schema 2006a), for IMAP/SMTP accounts.

Outlook POSTs a small XML request naming the address; the answer lists the IMAP (or POP)
and SMTP end points with `Encryption` (SSL for implicit TLS, TLS for STARTTLS). The answer
depends only on the address's domain: the address is echoed as the login name, never looked up.
"""

from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET

from ..servers import MailSettings
from . import Context

CONTENT_TYPE = "application/xml; charset=utf-8"
REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
ENCRYPTION = {"tls": "SSL", "starttls": "TLS"}
MAX_REQUEST = 8192


def requested_address(body: bytes) -> str | None:
    """The EMailAddress of a POX request, or None if the request is not one."""
    if not body or len(body) > MAX_REQUEST:
        return None
    try:
        root: ET.Element = SafeET.fromstring(body)
    except (SafeET.ParseError, ValueError):
        return None
    # Some clients omit the namespace: accept both spellings of the one element we read.
    for path in (f"{{{REQUEST_NS}}}Request/{{{REQUEST_NS}}}EMailAddress", "Request/EMailAddress"):
        found = root.find(path)
        if found is not None and found.text and "@" in found.text:
            return found.text.strip()[:320]
    return None


def _document(response: ET.Element) -> bytes:
    root = ET.Element("Autodiscover", {"xmlns": RESPONSE_NS})
    root.append(response)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _add(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def render(settings: MailSettings, context: Context) -> bytes:
    response = ET.Element("Response", {"xmlns": OUTLOOK_NS})
    account = ET.SubElement(response, "Account")
    _add(account, "AccountType", "email")
    _add(account, "Action", "settings")
    incoming = settings.imap or settings.pop3
    for server in [s for s in (incoming, settings.smtp) if s is not None]:
        protocol = ET.SubElement(account, "Protocol")
        _add(protocol, "Type", {"imap": "IMAP", "pop3": "POP3", "smtp": "SMTP"}[server.protocol])
        _add(protocol, "Server", server.host)
        _add(protocol, "Port", str(server.port))
        _add(protocol, "DomainRequired", "off")
        if context.address:
            _add(protocol, "LoginName", settings.username(context.address))
        _add(protocol, "SPA", "off")
        _add(protocol, "SSL", "on")
        _add(protocol, "AuthRequired", "on")
        if server.protocol == "smtp":
            _add(protocol, "UsePOPAuth", "on")
            _add(protocol, "SMTPLast", "off")
        _add(protocol, "Encryption", ENCRYPTION[server.security])
    return _document(response)


def render_error(code: str = "600", message: str = "Invalid Request") -> bytes:
    response = ET.Element("Response")
    error = ET.SubElement(response, "Error", {"Time": "00:00:00", "Id": "0"})
    _add(error, "ErrorCode", code)
    _add(error, "Message", message)
    ET.SubElement(error, "DebugData")
    return _document(response)
