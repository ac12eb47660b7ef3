"""CAS 3.0 server (apereo.github.io/cas/development/protocol/CAS-Protocol-Specification.html).

Service tickets are single use, valid 10 seconds and bound to the exact service URL they
were issued for. Proxy granting is not offered: `proxyValidate` validates service tickets
and never issues a PGT, which the specification allows (a failed callback is not an error).
"""

import hmac
import re
import secrets
import string
from datetime import timedelta
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from institutions.models import Client

from ..access import released
from ..models import CasTicket

NS = "http://www.yale.edu/tp/cas"
TICKET_TTL = timedelta(seconds=10)
ET.register_namespace("cas", NS)


# CAS 3.0 §3.7: ticket characters are [A-Za-z0-9-] only. mod_auth_cas ignores any other
# ticket and loops back to /cas/login, so no urlsafe-base64 (`_`) ever goes out.
TICKET_ALPHABET = string.ascii_letters + string.digits
TICKET_RANDOM_CHARS = 40  # 40 × log2(62) ≈ 238 bits, well above the 32 characters asked


def new_ticket(prefix: str) -> str:
    """A fresh ticket id: `ST-`, `PT-`, `PGT-` or `PGTIOU-` followed by random letters and digits."""
    return f"{prefix}-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_RANDOM_CHARS))


def _digest(ticket: str) -> str:
    return salted_hmac("guichet.cas.ticket", ticket, algorithm="sha256").hexdigest()


def client_for_service(service: str) -> Client | None:
    """The registered client whose patterns match this service URL (the allow-list)."""
    for client in Client.objects.filter(protocol="cas"):
        for pattern in client.config.get("service_patterns", []):
            if re.match(pattern, service or ""):
                return client
    return None


def issue(client: Client, service: str, account, sid: str, *, from_credentials: bool) -> str:
    ticket = new_ticket("ST")
    now = timezone.now()
    CasTicket.objects.create(
        digest=_digest(ticket),
        client=client,
        service=service,
        account=account,
        sid=sid,
        created_at=now,
        expires_at=now + TICKET_TTL,
        from_credentials=from_credentials,
    )
    return ticket


@transaction.atomic
def validate(ticket: str, service: str, *, renew: bool = False) -> tuple[CasTicket | None, str, str]:
    """(ticket row, "", "") on success, else (None, failure code, message). Always uses it up."""
    if not ticket or not service:
        return None, "INVALID_REQUEST", "ticket and service are required"
    row = CasTicket.objects.select_for_update().filter(digest=_digest(ticket)).first()
    if row is None or not ticket.startswith("ST-"):
        return None, "INVALID_TICKET", f"ticket {ticket[:40]} not recognized"
    if row.used_at is not None:
        return None, "INVALID_TICKET", "ticket already used"
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    if row.expires_at <= row.used_at:
        return None, "INVALID_TICKET", "ticket expired"
    if not hmac.compare_digest(row.service, service):
        return None, "INVALID_SERVICE", "ticket was not issued for this service"
    if renew and not row.from_credentials:
        return None, "INVALID_TICKET", "ticket not issued from primary credentials"
    if not row.account.is_active:
        return None, "INVALID_TICKET", "account not active"
    return row, "", ""


def success_xml(row: CasTicket, *, with_attributes: bool) -> bytes:
    root = ET.Element(f"{{{NS}}}serviceResponse")
    success = ET.SubElement(root, f"{{{NS}}}authenticationSuccess")
    ET.SubElement(success, f"{{{NS}}}user").text = row.account.identifier
    if with_attributes:
        attributes = ET.SubElement(success, f"{{{NS}}}attributes")
        ET.SubElement(attributes, f"{{{NS}}}authenticationDate").text = row.created_at.isoformat()
        ET.SubElement(attributes, f"{{{NS}}}isFromNewLogin").text = str(row.from_credentials).lower()
        for name, values in released(row.account, row.client.config.get("attributes", [])).items():
            for value in values:
                ET.SubElement(attributes, f"{{{NS}}}{name}").text = value
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def failure_xml(code: str, message: str) -> bytes:
    root = ET.Element(f"{{{NS}}}serviceResponse")
    failure = ET.SubElement(root, f"{{{NS}}}authenticationFailure", code=code)
    failure.text = message
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def logout_request(ticket_id: str) -> str:
    """The SAML LogoutRequest CAS sends back-channel to a service (single logout)."""
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-{secrets.token_hex(16)}" '
        f'Version="2.0" IssueInstant="{now}"><saml:NameID>@NOT_USED@</saml:NameID>'
        f"<samlp:SessionIndex>{ticket_id}</samlp:SessionIndex></samlp:LogoutRequest>"
    )
