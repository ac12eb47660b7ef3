"""How SAML tells a service provider that the Guichet session it signed in from ended
(IdP-initiated single logout): a signed LogoutRequest over SOAP when the SP's metadata has
that back channel; else over its HTTP-Redirect front channel, in a hidden iframe of the page
answering the logout (sso.middleware). An SP with neither cannot be told: that raises, and
sso.actions records it as a failed notice."""

import requests
from django.http import HttpRequest
from saml2 import BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.saml import NameID

from audit.actions import record

from ... import events, frontchannel
from ...models import SignOn
from .. import Told
from . import idp as saml
from .idp import DIGEST_ALG, SIGN_ALG, Idp, ServiceProvider


class NoSingleLogout(Exception):
    """The service provider has no single logout end point: it cannot be told."""


class NoBackChannel(Exception):
    """Only front-channel (browser) single logout, which a server-side session end cannot use."""


def front_logout_url(idp: Idp, provider: ServiceProvider, data: dict) -> str:
    """IdP-initiated single logout over the browser: a LogoutRequest on the SP's HTTP-Redirect
    end point, its query string signed (the binding's signature), for a hidden iframe."""
    if not provider.redirect_logout:
        raise NoSingleLogout
    _id, request = idp.server.create_logout_request(
        provider.redirect_logout,
        provider.entity_id,
        name_id=NameID(format=data.get("name_id_format") or None, text=data["name_id"]),
        session_indexes=[data["session_index"]] if data.get("session_index") else None,
        sign=False,
    )
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), provider.redirect_logout, "", sign=True, sigalg=SIGN_ALG
    )
    return dict(info["headers"])["Location"]


def send_logout(idp: Idp, provider: ServiceProvider, data: dict) -> str:
    """IdP-initiated single logout over SOAP; returns the status the SP answered."""
    if not provider.soap_logout:
        raise NoBackChannel if provider.front_logout else NoSingleLogout
    _id, signed = idp.server.create_logout_request(
        provider.soap_logout,
        provider.entity_id,
        name_id=NameID(format=data.get("name_id_format") or None, text=data["name_id"]),
        session_indexes=[data["session_index"]] if data.get("session_index") else None,
        sign=True,
        sign_alg=SIGN_ALG,
        digest_alg=DIGEST_ALG,
    )
    info = idp.server.apply_binding(BINDING_SOAP, signed, provider.soap_logout, sign=False)
    answer = requests.post(
        provider.soap_logout,
        data=info["data"].encode(),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": "http://www.oasis-open.org/committees/security",
        },
        timeout=idp.server.config.http_client_timeout,
        allow_redirects=False,
    )
    answer.raise_for_status()
    parsed = idp.server.parse_logout_request_response(answer.text, BINDING_SOAP)
    return parsed.response.status.status_code.value


def notify(request: HttpRequest, sign_on: SignOn) -> Told:
    """Back channel (SOAP) when the SP has it, else the browser carries a signed
    LogoutRequest to its HTTP-Redirect end point."""
    idp = saml.idp(request)
    provider = next((p for p in idp.providers.values() if p.client_id == sign_on.client_id), None)
    if provider is None:
        raise NoSingleLogout
    if not provider.soap_logout and provider.redirect_logout:
        frontchannel.add_frame(request, front_logout_url(idp, provider, sign_on.data))
        record(events.SAML_LOGOUT, client=provider.slug, initiator="idp", binding="redirect", status="sent")
        return "front_channel"
    status = send_logout(idp, provider, sign_on.data)
    record(
        events.SAML_LOGOUT,
        subject=request.user if request.user.is_authenticated else None,
        client=provider.slug,
        initiator="idp",
        binding="soap",
        status=status.rsplit(":", 1)[-1],
    )
    return "back_channel"
