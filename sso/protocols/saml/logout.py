"""How SAML tells a service provider that the Guichet session it signed in from ended
(IdP-initiated single logout): a signed LogoutRequest over SOAP when the SP's metadata has
that back channel; else over its HTTP-Redirect front channel, in a hidden iframe of the page
answering the logout (sso.middleware); else over its HTTP-POST front channel, posted by the
browser itself: the logout page chains through every such SP (each answers its
LogoutResponse to /saml/slo/…, whose RelayState names the rest of the chain), then goes
where the logout was going. An SP with none cannot be told: that raises, and sso.actions
records it as a failed notice."""

import base64
from typing import Any

import requests
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from saml2 import BINDING_HTTP_REDIRECT, BINDING_SOAP
from saml2.saml import NameID

from audit.actions import record

from ... import events, frontchannel
from ...models import SignOn
from .. import Told
from . import idp as saml
from .idp import DIGEST_ALG, SIGN_ALG, Idp, ServiceProvider
from .rules import PENDING_MAX_AGE, Outgoing, Refused

CHAIN_SALT = "guichet.sso.saml.logout_chain"


class NoSingleLogout(Exception):
    """The service provider has no single logout end point: it cannot be told."""


class NoBackChannel(Exception):
    """Only front-channel (browser) single logout, which a server-side session end cannot use."""


def front_logout_url(idp: Idp, provider: ServiceProvider, data: dict[str, Any]) -> str:
    """IdP-initiated single logout over the browser: a LogoutRequest on the SP's HTTP-Redirect
    end point, its query string signed (the binding's signature), for a hidden iframe."""
    if not provider.redirect_logout:
        raise NoSingleLogout
    # Unsigned XML: the HTTP-Redirect binding signs the query string instead.
    request = _logout_request(idp, provider, provider.redirect_logout, data, sign_xml=False)
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), provider.redirect_logout, "", sign=True, sigalg=SIGN_ALG
    )
    location: str = dict(info["headers"])["Location"]
    return location


def send_logout(idp: Idp, provider: ServiceProvider, data: dict[str, Any]) -> str:
    """IdP-initiated single logout over SOAP; returns the status the SP answered."""
    if not provider.soap_logout:
        raise NoBackChannel if provider.front_logout else NoSingleLogout
    signed = _logout_request(idp, provider, provider.soap_logout, data, sign_xml=True)
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
    status: str = parsed.response.status.status_code.value
    return status


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
    if not provider.soap_logout and provider.post_logout:
        frontchannel.add_post(request, sign_on.pk)  # posted by the logout page (chain_url)
        record(events.SAML_LOGOUT, client=provider.slug, initiator="idp", binding="post", status="sent")
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


# --- HTTP-POST front channel: the logout page chains through the SPs ------------------------


def chain_url(sign_on_pks: list[int], done: str) -> str:
    """Where the browser goes to post each SP its LogoutRequest, then to `done`."""
    token = signing.dumps({"rest": sign_on_pks, "done": done}, salt=CHAIN_SALT, compress=True)
    return f"{reverse('saml-slo')}?{urlencode({'chain': token})}"


def posted_logout(idp: Idp, provider: ServiceProvider, data: dict[str, Any], relay_state: str) -> Outgoing:
    """A LogoutRequest signed in its XML (the HTTP-POST binding), for the browser to post."""
    signed = _logout_request(idp, provider, provider.post_logout, data, sign_xml=True)
    fields = {"SAMLRequest": base64.b64encode(str(signed).encode()).decode(), "RelayState": relay_state}
    return Outgoing(provider.post_logout, fields)


def next_step(request: HttpRequest, token: str) -> Outgoing:
    """The next SP's posted LogoutRequest (RelayState: the rest of the chain), or, the chain
    done, a redirect to where the logout was going. Raises Refused for a forged or stale chain."""
    try:
        chain = signing.loads(token, salt=CHAIN_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        raise Refused("expired") from None
    rest, done = list(chain["rest"]), str(chain["done"])
    idp = saml.idp(request)
    while rest:
        row = SignOn.objects.select_related("client").filter(pk=rest.pop(0)).first()
        provider = next((p for p in idp.providers.values() if row and p.client_id == row.client_id), None)
        if row is not None and provider is not None and provider.post_logout:
            relay = signing.dumps({"rest": rest, "done": done}, salt=CHAIN_SALT, compress=True)
            return posted_logout(idp, provider, row.data, relay)
    return Outgoing(done)


def _logout_request(
    idp: Idp, provider: ServiceProvider, destination: str, data: dict[str, Any], *, sign_xml: bool
) -> Any:
    """The LogoutRequest for the person's NameID and session at this SP, every binding's."""
    signing_options = {"sign_alg": SIGN_ALG, "digest_alg": DIGEST_ALG} if sign_xml else {}
    _id, request = idp.server.create_logout_request(
        destination,
        provider.entity_id,
        name_id=NameID(format=data.get("name_id_format") or None, text=data["name_id"]),
        session_indexes=[data["session_index"]] if data.get("session_index") else None,
        sign=sign_xml,
        **signing_options,
    )
    return request
