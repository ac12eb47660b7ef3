"""CAS 3.0 server (apereo.github.io/cas/development/protocol/CAS-Protocol-Specification.html).

Service (ST) and proxy (PT) tickets are single use, valid 10 seconds and bound to the exact
service URL they were issued for. A proxy-granting ticket (PGT) is handed only to an HTTPS
callback the registry allows for the service (`proxy_callback_patterns`), and lives as long
as the Guichet session that signed in, two hours at most. Every ticket is stored as a keyed
hash: what opens an account is never readable in a table.
"""

import hmac
import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, UserSession
from audit.keyed import keyed_hash
from institutions.models import Client

from ...access import may_use
from ...models import CasTicket, ProxyGrantingTicket

TICKET_TTL = timedelta(seconds=10)
PGT_TTL = timedelta(hours=2)
CALLBACK_TIMEOUT = 5

# CAS 3.0 §3.7: ticket characters are [A-Za-z0-9-] only. mod_auth_cas ignores any other
# ticket and loops back to /cas/login, so no urlsafe-base64 (`_`) ever goes out.
TICKET_ALPHABET = string.ascii_letters + string.digits
TICKET_RANDOM_CHARS = 40  # 40 × log2(62) ≈ 238 bits, well above the 32 characters asked


def new_ticket(prefix: str) -> str:
    """A fresh ticket id: `ST-`, `PT-`, `PGT-` or `PGTIOU-` followed by random letters and digits."""
    return f"{prefix}-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_RANDOM_CHARS))


def _digest(ticket: str) -> str:
    return keyed_hash("guichet.cas.ticket", ticket, algorithm="sha256")


def client_for_service(service: str) -> Client | None:
    """The registered client whose patterns match this service URL (the allow-list)."""
    for client in Client.objects.filter(protocol="cas"):
        for pattern in client.config.get("service_patterns", []):
            if re.match(pattern, service or ""):
                return client
    return None


def issue(
    client: Client,
    service: str,
    account: Account,
    sid: str,
    *,
    from_credentials: bool,
    login_at: datetime | None = None,
) -> str:
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
        login_at=login_at or now,
    )
    return ticket


@dataclass
class Validation:
    row: CasTicket | None = None
    code: str = ""
    message: str = ""
    pgtiou: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.row is not None


@transaction.atomic
def validate(ticket: str, service: str, *, renew: bool = False, proxies_allowed: bool = False) -> Validation:
    """Checks a ST (or, for /proxyValidate, a PT) and always uses it up (single use)."""
    if not ticket or not service:
        return Validation(code="INVALID_REQUEST", message="ticket and service are required")
    if ticket.startswith("PT-") and not proxies_allowed:
        # §2.5: /serviceValidate MUST NOT validate proxy tickets; the ticket stays usable.
        return Validation(code="INVALID_TICKET_SPEC", message="proxy tickets are validated at /proxyValidate")
    tickets = CasTicket.objects.select_for_update().select_related("account", "client")
    row = tickets.filter(digest=_digest(ticket)).first()
    if row is None or not (ticket.startswith("ST-") or ticket.startswith("PT-")):
        return Validation(code="INVALID_TICKET", message=f"ticket {ticket[:40]} not recognized")
    if row.used_at is not None:
        return Validation(code="INVALID_TICKET", message="ticket already used")
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    if row.expires_at <= row.used_at:
        return Validation(code="INVALID_TICKET", message="ticket expired")
    if not hmac.compare_digest(row.service, service):
        return Validation(code="INVALID_SERVICE", message="ticket was not issued for this service")
    if renew and not row.from_credentials:
        return Validation(code="INVALID_TICKET", message="ticket not issued from primary credentials")
    if not row.account.is_active:
        return Validation(code="INVALID_TICKET", message="account not active")
    return Validation(row=row)


def callback_allowed(client: Client, pgt_url: str) -> bool:
    """§2.5.4: HTTPS only, and only where the registry lets this service receive PGTs."""
    if urlsplit(pgt_url).scheme != "https":
        return False
    return any(re.match(p, pgt_url) for p in client.config.get("proxy_callback_patterns", []))


def grant(row: CasTicket, pgt_url: str) -> str:
    """Sends a new PGT and its IOU to the proxy's callback; the IOU when it answered 200, else "".

    The callback is called with certificate checks (requests honours REQUESTS_CA_BUNDLE);
    a callback that fails does not fail the validation (§2.5.4), it only gets no PGT.
    """
    pgt, iou = new_ticket("PGT"), new_ticket("PGTIOU")
    try:
        answer = requests.get(
            pgt_url, params={"pgtId": pgt, "pgtIou": iou}, timeout=CALLBACK_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException:
        return ""
    if answer.status_code != 200:
        return ""
    now = timezone.now()
    ProxyGrantingTicket.objects.create(
        digest=_digest(pgt),
        client=row.client,
        account=row.account,
        sid=row.sid,
        proxies=[pgt_url, *row.proxies],
        login_at=row.login_at,
        created_at=now,
        expires_at=now + PGT_TTL,
    )
    return iou


def _live_pgt(pgt: str) -> ProxyGrantingTicket | None:
    row = ProxyGrantingTicket.objects.select_related("account").filter(digest=_digest(pgt)).first()
    if row is None or row.ended_at is not None or row.expires_at <= timezone.now() or not row.account.is_active:
        return None
    if row.sid and not UserSession.objects.filter(sid=row.sid, revoked_at__isnull=True).exists():
        return None  # the Guichet session that signed in has ended: so have its proxies
    return row


def proxy(pgt: str, target_service: str) -> tuple[str, str, str]:
    """§2.7: (PT, "", "") for a live PGT and a registered target, else ("", code, message)."""
    if not pgt or not target_service:
        return "", "INVALID_REQUEST", "pgt and targetService are required"
    row = _live_pgt(pgt) if pgt.startswith("PGT-") else None
    if row is None:
        return "", "INVALID_TICKET", "pgt not recognized"
    target = client_for_service(target_service)
    if target is None or not may_use(row.account, target):
        return "", "UNAUTHORIZED_SERVICE", "service not allowed to receive proxy tickets"
    ticket = new_ticket("PT")
    now = timezone.now()
    CasTicket.objects.create(
        digest=_digest(ticket),
        kind="PT",
        client=target,
        service=target_service,
        account=row.account,
        sid=row.sid,
        proxies=row.proxies,
        login_at=row.login_at,
        created_at=now,
        expires_at=now + TICKET_TTL,
    )
    return ticket, "", ""
