"""How CAS tells a service that the Guichet session it signed in from ended (CAS 3.0
§2.3.3): a SAML LogoutRequest naming the service ticket, posted back channel to the
service's `logout_url` (or the service URL itself). Only a 2xx answer counts as notified.
The session's proxy-granting tickets end with it."""

import secrets

import requests
from django.http import HttpRequest
from django.utils import timezone

from ...models import ProxyGrantingTicket, SignOn
from .. import Told

LOGOUT_TIMEOUT = 3


def end_session(sid: str) -> int:
    """The Guichet session `sid` ended: its proxy-granting tickets end with it."""
    if not sid:
        return 0
    return ProxyGrantingTicket.objects.filter(sid=sid, ended_at__isnull=True).update(ended_at=timezone.now())


def logout_request(ticket_id: str) -> str:
    """The SAML LogoutRequest CAS sends back-channel to a service (single logout)."""
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-{secrets.token_hex(16)}" '
        f'Version="2.0" IssueInstant="{now}"><saml:NameID>@NOT_USED@</saml:NameID>'
        f"<samlp:SessionIndex>{ticket_id}</samlp:SessionIndex></samlp:LogoutRequest>"
    )


def notify(request: HttpRequest, sign_on: SignOn) -> Told:
    """Back-channel single logout; anything but a 2xx answer raises, so it is audited as failed."""
    end_session(sign_on.sid)
    url = sign_on.client.config.get("logout_url") or sign_on.data.get("service")
    if not url:
        return "not_notified"
    payload = {"logoutRequest": logout_request(sign_on.data["ticket_id"])}
    answer = requests.post(url, data=payload, timeout=LOGOUT_TIMEOUT, allow_redirects=False)
    if not 200 <= answer.status_code < 300:
        raise requests.HTTPError(f"logout answered {answer.status_code}")
    return "back_channel"
