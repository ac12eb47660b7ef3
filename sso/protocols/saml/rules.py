"""SAML messages in and out: read and check requests, build signed responses and logouts.

A request that passed its checks becomes a small "pending" dict, sealed with Django's
signing into the URL that the sign-in sends people back to: the HTTP-POST binding arrives
cross-site, where the Lax session cookie is not sent, so nothing is kept in the session.
"""

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2 import request as saml_request
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.response import IncorrectlySigned
from saml2.saml import (
    NAMEID_FORMAT_EMAILADDRESS,
    NAMEID_FORMAT_PERSISTENT,
    NAMEID_FORMAT_TRANSIENT,
    NAMEID_FORMAT_UNSPECIFIED,
    Issuer,
    NameID,
)
from saml2.sigver import SignatureError

from accounts.directories import DirectoryUnavailable
from accounts.models import Account
from audit.keyed import keyed_hash

from ... import directory
from ...access import released as released
from . import idp as saml
from .idp import DIGEST_ALG, SIGN_ALG, Idp, ServiceProvider

PENDING_SALT = "guichet.sso.saml.pending"
PENDING_MAX_AGE = 15 * 60  # long enough to find a forgotten password, short enough to expire
MAX_RELAY_STATE = 1024  # the standard says 80 bytes; some service providers send more
MFA_CONTEXT = "https://refeds.org/profile/mfa"
# A checked request, sealed into the URL the sign-in comes back to: sp, id, acs, relay, force…
Pending = dict[str, Any]
BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}


class Refused(Exception):
    """A request Guichet will not answer. `reason` picks the sentence the error page shows."""

    def __init__(self, reason: str, issuer: str = ""):
        super().__init__(reason)
        self.reason, self.issuer = reason, issuer[:200]


@dataclass(frozen=True)
class Outgoing:
    """A message for the browser to carry: a form to POST (`fields`) or a URL to follow."""

    url: str
    fields: dict[str, str] | None = None


def seal(pending: Pending) -> str:
    return signing.dumps(pending, salt=PENDING_SALT, compress=True)


def unseal(token: str) -> Pending:
    try:
        pending: Pending = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
        return pending
    except signing.BadSignature:  # SignatureExpired included
        raise Refused("expired") from None


def _true(value: object) -> bool:
    return str(value).lower() in ("true", "1")


def read(idp: Idp, kind: str, binding: str, params: Mapping[str, str]) -> tuple[ServiceProvider, Any]:
    """Decode a SAMLRequest ("authn" or "logout"), find its service provider, check it.

    A service provider with a signing certificate must sign; any signature present must
    hold; a LogoutRequest must always be signed, or anyone could end people's sessions.
    """
    encoded = params.get("SAMLRequest", "")
    parse = samlp.authn_request_from_string if kind == "authn" else samlp.logout_request_from_string
    try:
        xml = idp.server.unravel(encoded, binding, "request")
        message = parse(xml)
        issuer = message.issuer.text.strip()
    except Exception:
        raise Refused("malformed") from None
    provider = idp.providers.get(issuer)
    if provider is None:
        raise Refused("unknown_sp", issuer)
    signature = params.get("Signature") if binding == BINDING_HTTP_REDIRECT else None
    relay_state = params.get("RelayState")
    if relay_state and len(relay_state) > MAX_RELAY_STATE:
        raise Refused("malformed", issuer)
    if kind == "authn":
        checker = saml_request.AuthnRequest
        service = "single_sign_on_service"
    else:
        checker = saml_request.LogoutRequest
        service = "single_logout_service"
    config = idp.server.config
    checked = checker(idp.server.sec, config.endpoint(service, binding, "idp"), config.attribute_converters, 60)
    try:
        checked.loads(
            xml,
            binding,
            origdoc=encoded,
            must=provider.signs or kind == "logout" or bool(signature),
            relay_state=relay_state,
            sigalg=params.get("SigAlg"),
            signature=signature,
        )
    except (IncorrectlySigned, SignatureError):
        raise Refused("signature", issuer) from None
    except Exception:
        raise Refused("malformed", issuer) from None
    try:
        fresh = checked.verify()  # version, Destination, IssueInstant within a day
    except Exception:
        fresh = False
    if not fresh:
        raise Refused("malformed", issuer)
    return provider, checked.message


def pending_authn(provider: ServiceProvider, message: Any, relay_state: str) -> Pending:
    if message.protocol_binding and message.protocol_binding != BINDING_HTTP_POST:
        raise Refused("binding", provider.entity_id)
    acs = message.assertion_consumer_service_url
    if not acs and message.assertion_consumer_service_index is not None:
        wanted = str(message.assertion_consumer_service_index)
        acs = next((url for index, url in provider.acs_indexes if index == wanted), "")
        acs = acs or "?"  # an index that names nothing is no better than a wrong URL
    if acs and acs not in provider.acs_urls:  # exact match, nothing looser
        raise Refused("acs", provider.entity_id)
    policy = message.name_id_policy
    return {
        "sp": provider.entity_id,
        "id": message.id,
        "acs": acs or provider.acs_urls[0],
        "relay": relay_state or "",
        "force": _true(message.force_authn),
        "passive": _true(message.is_passive),
        "format": (policy.format or "") if policy is not None else "",
    }


def pending_logout(provider: ServiceProvider, message: Any, relay_state: str, binding: str) -> Pending:
    if not provider.front_logout:
        raise Refused("no_logout", provider.entity_id)
    return {
        "sp": provider.entity_id,
        "id": message.id,
        "name_id": (message.name_id.text or "").strip() if message.name_id is not None else "",
        "relay": relay_state or "",
        "binding": "post" if binding == BINDING_HTTP_POST else "redirect",
    }


def subject(account: Account, config: dict[str, Any] | None = None, sp: str = "", asked: str = "") -> Any:
    """The NameID this SP gets (`name_id_format` in its config), or None when the format it
    asks for cannot be given:
    - email (default): the account identifier, an address for most, a bare login for some;
    - persistent: stable per SP and unlinkable across SPs, or a directory attribute
      (`name_id_attribute`: `immutable_id`, as Exchange Online federation wants, `upn`, `sid`);
    - transient: new at every sign-in (asked by the SP, or configured)."""
    config = config or {}
    kind = "transient" if asked == NAMEID_FORMAT_TRANSIENT else config.get("name_id_format", "email")
    if kind == "transient":
        name_id = NameID(format=NAMEID_FORMAT_TRANSIENT, text=f"_{secrets.token_hex(16)}")
    elif kind == "persistent":
        attribute = config.get("name_id_attribute")
        if attribute:
            value = directory.attribute(account, attribute, directory.entry(account))
        else:
            value = keyed_hash("guichet.saml.persistent", f"{sp}|{account.pk}", algorithm="sha256")
        if not value:
            return None
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=value, sp_name_qualifier=sp or None)
    else:
        identifier = account.identifier
        email = NAMEID_FORMAT_EMAILADDRESS if "@" in identifier else NAMEID_FORMAT_UNSPECIFIED
        name_id = NameID(format=email, text=identifier)
    if asked not in ("", NAMEID_FORMAT_UNSPECIFIED, name_id.format):
        return None
    return name_id


def _posted(url: str, xml: str, relay_state: str) -> Outgoing:
    fields = {"SAMLResponse": base64.b64encode(xml.encode()).decode()}
    if relay_state:
        fields["RelayState"] = relay_state
    return Outgoing(url, fields)


def authn_response(
    idp: Idp,
    pending: Pending,
    account: Account,
    wanted: list[str],
    *,
    login_at: float,
    mfa: bool,
    config: dict[str, Any] | None = None,
) -> tuple[Outgoing, Any, str]:
    """The signed Response (signed Assertion inside), with its NameID and SessionIndex."""
    try:
        name_id = subject(account, config, pending["sp"], pending["format"])
    except DirectoryUnavailable:
        name_id = None
    if name_id is None:
        outgoing = error_response(idp, pending, samlp.STATUS_INVALID_NAMEID_POLICY, "NameID format not offered")
        return outgoing, None, ""
    xml = str(
        idp.server.create_authn_response(
            released(account, wanted),
            in_response_to=pending["id"],
            destination=pending["acs"],
            sp_entity_id=pending["sp"],
            name_id=name_id,
            authn={"class_ref": MFA_CONTEXT if mfa else PASSWORDPROTECTEDTRANSPORT, "authn_instant": int(login_at)},
            sign_response=True,
            sign_assertion=True,
            # Signed, then encrypted for an SP whose metadata has an encryption key.
            encrypt_assertion=saml.encrypts_for(pending["sp"], idp.server.metadata),
            encrypt_assertion_self_contained=True,
            sign_alg=SIGN_ALG,
            digest_alg=DIGEST_ALG,
        )
    )
    readable = samlp.response_from_string(xml).assertion
    # An encrypted assertion keeps its SessionIndex to itself: logout then names the NameID
    # alone, which the LogoutRequest allows (all of this person's sessions at that SP).
    session_index = readable[0].authn_statement[0].session_index if readable else ""
    return _posted(pending["acs"], xml, pending["relay"]), name_id, session_index


def error_response(idp: Idp, pending: Pending, status: str, text: str) -> Outgoing:
    xml = idp.server.create_error_response(
        pending["id"], pending["acs"], (status, text), sign=True, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG
    )
    return _posted(pending["acs"], str(xml), pending["relay"])


def logout_response(idp: Idp, pending: Pending) -> Outgoing:
    """A Success LogoutResponse, by the request's binding when the SP has it: signed XML over
    HTTP-POST, a signed query string over HTTP-Redirect (the binding forbids XML signatures)."""
    asked = BINDINGS[pending["binding"]]
    other = BINDING_HTTP_POST if asked == BINDING_HTTP_REDIRECT else BINDING_HTTP_REDIRECT
    original = samlp.LogoutRequest(id=pending["id"], issuer=Issuer(text=pending["sp"]))
    route = idp.server.response_args(original, [asked, other])
    binding, destination = route["binding"], route["destination"]
    posted = binding == BINDING_HTTP_POST
    response = idp.server.create_logout_response(
        original, [binding], sign=posted, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG
    )
    if posted:
        return _posted(destination, str(response), pending["relay"])
    info = idp.server.apply_binding(
        binding, str(response), destination, pending["relay"], response=True, sign=True, sigalg=SIGN_ALG
    )
    return Outgoing(dict(info["headers"])["Location"])
