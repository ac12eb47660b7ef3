"""SAML 2.0 end points under /saml/: metadata, single sign-on, single logout.

Requests arriving by HTTP-POST come from another site, without Guichet's Lax session
cookie: they are checked, sealed into a URL (rules.seal) and answered after a 303
to the HTTP-Redirect end point, which sees the session. That GET end point, "saml-sso",
is also where the sign-in sends people back.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp

from accounts.actions import sessions
from audit.actions import client_ip, record
from institutions.models import Client

from ... import access, actions, auth, csp, events
from ...events import StrOrPromise
from ...views import wrong_portal
from . import idp as saml
from . import logout as saml_logout
from . import rules as messages

logger = logging.getLogger(__name__)

REFUSALS = {
    "unknown_sp": _("Ce service n'est pas enregistré auprès de Guichet : il ne peut pas vous y connecter."),
    "signature": _("La demande de ce service n'est pas authentique : signature absente ou invalide."),
    "acs": _("L'adresse de retour demandée n'est pas celle enregistrée pour ce service."),
    "binding": _("Ce service demande un mode d'échange que Guichet ne propose pas."),
    "no_logout": _("Ce service n'a pas d'adresse de déconnexion enregistrée."),
    "expired": _("Cette demande a expiré ou n'est pas valable."),
    "malformed": _("La demande de ce service est illisible, incomplète ou trop ancienne."),
}


def _refused(request: HttpRequest, refusal: messages.Refused) -> HttpResponse:
    logger.warning("SAML request refused: %s (issuer %r)", refusal.reason, refusal.issuer)
    context = {"reason": REFUSALS[refusal.reason]}
    return render(request, "sso/saml_error.html", context, status=400)


def _carry(request: HttpRequest, outgoing: messages.Outgoing, title: StrOrPromise, text: StrOrPromise) -> HttpResponse:
    """Hand a SAML message to the browser: a redirect, or a form that works without JavaScript."""
    if outgoing.fields is None:
        return HttpResponseRedirect(outgoing.url)
    context = {"action": outgoing.url, "fields": outgoing.fields.items(), "title": title, "text": text}
    return csp.allow_form_action(render(request, "sso/saml_post.html", context), outgoing.url)


def _client(provider: saml.ServiceProvider) -> Client | None:
    return Client.objects.filter(pk=provider.client_id, protocol="saml").first()


@require_safe
def metadata(request: HttpRequest) -> HttpResponse:
    return HttpResponse(saml.idp(request).metadata, content_type="application/samlmetadata+xml")


@never_cache
@require_GET
def sso(request: HttpRequest) -> HttpResponse:
    """HTTP-Redirect binding, and the way back from the sign-in (?pending=…)."""
    idp = saml.idp(request)
    try:
        if "pending" in request.GET:
            token = request.GET["pending"]
            pending = messages.unseal(token)
        else:
            provider, message = messages.read(idp, "authn", BINDING_HTTP_REDIRECT, request.GET)
            pending = messages.pending_authn(provider, message, request.GET.get("RelayState", ""))
            token = messages.seal(pending)
        known = idp.providers.get(pending["sp"])
        if known is None:
            raise messages.Refused("unknown_sp", pending["sp"])
    except messages.Refused as refusal:
        return _refused(request, refusal)
    return _answer(request, idp, known, pending, token)


@csrf_exempt  # a cross-site POST by design; the request's own signature is what counts
@never_cache
@require_POST
def sso_post(request: HttpRequest) -> HttpResponse:
    idp = saml.idp(request)
    try:
        provider, message = messages.read(idp, "authn", BINDING_HTTP_POST, request.POST)
        pending = messages.pending_authn(provider, message, request.POST.get("RelayState", ""))
    except messages.Refused as refusal:
        return _refused(request, refusal)
    return HttpResponseRedirect(f"{reverse('saml-sso')}?{urlencode({'pending': messages.seal(pending)})}", status=303)


def _answer(
    request: HttpRequest, idp: saml.Idp, provider: saml.ServiceProvider, pending: messages.Pending, token: str
) -> HttpResponse:
    client = _client(provider)
    if client is None:
        return _refused(request, messages.Refused("unknown_sp", pending["sp"]))
    account = auth.signed_in(request, renew=pending["force"])
    if account is None:
        if pending["passive"]:  # IsPassive: answer without showing anything
            record(events.SAML_RESPONSE, ip=client_ip(request), client=client.slug, status="no_passive")
            outgoing = messages.error_response(idp, pending, samlp.STATUS_NO_PASSIVE, "Not signed in")
            return _carry(request, outgoing, _("Retour au service"), "")
        back = f"{reverse('saml-sso')}?{urlencode({'pending': token})}"
        return auth.to_login(request, renew=pending["force"], next_url=back)
    if not access.may_use(account, client):
        # The SP hears it too, once the person chooses to go back: a signed Responder /
        # RequestDenied Response, never an assertion.
        record(events.SAML_RESPONSE, subject=account, ip=client_ip(request), client=client.slug, status="denied")
        denied = messages.error_response(idp, pending, samlp.STATUS_REQUEST_DENIED, "Not open to this account")
        return wrong_portal(request, account, client, back_form=(denied.url, list((denied.fields or {}).items())))
    outgoing, name_id, session_index = messages.authn_response(
        idp,
        pending,
        account,
        client.config.get("attributes", []),
        login_at=request.session.get(sessions.LOGIN_AT) or timezone.now().timestamp(),
        mfa=getattr(account, "is_verified", lambda: False)(),
        config=client.config,
    )
    wanted = client.config.get("attributes", [])
    if name_id is None:  # a NameID format Guichet cannot give: an error Response, nothing released
        record(
            events.SAML_RESPONSE,
            actor=account,
            subject=account,
            ip=client_ip(request),
            client=client.slug,
            status="invalid_name_id_policy",
            force_authn=pending["force"],
            attributes=[],
        )
    else:
        actions.signed_on(
            client,
            account,
            request.session.get(sessions.SID),
            event=events.SAML_RESPONSE,
            data={"name_id": name_id.text, "name_id_format": name_id.format, "session_index": session_index},
            actor=account,
            ip=client_ip(request),
            status="success",
            force_authn=pending["force"],
            attributes=sorted(messages.released(account, wanted)),
        )
    text = _("Connexion à %(name)s en cours.") % {"name": client.name}
    return _carry(request, outgoing, _("Connexion en cours"), text)


@never_cache
@require_GET
def slo(request: HttpRequest) -> HttpResponse:
    idp = saml.idp(request)
    if "chain" in request.GET or "SAMLResponse" in request.GET:  # Guichet's own logout, going on
        return _next_logout(request, request.GET.get("chain") or request.GET.get("RelayState", ""))
    try:
        if "pending" in request.GET:
            pending = messages.unseal(request.GET["pending"])
        else:
            provider, message = messages.read(idp, "logout", BINDING_HTTP_REDIRECT, request.GET)
            pending = messages.pending_logout(
                provider, message, request.GET.get("RelayState", ""), BINDING_HTTP_REDIRECT
            )
        known = idp.providers.get(pending["sp"])
        if known is None:
            raise messages.Refused("unknown_sp", pending["sp"])
    except messages.Refused as refusal:
        return _refused(request, refusal)
    return _logout(request, idp, known, pending)


@csrf_exempt
@never_cache
@require_POST
def slo_post(request: HttpRequest) -> HttpResponse:
    if "SAMLResponse" in request.POST:  # an SP answered Guichet's posted LogoutRequest
        chain = urlencode({"chain": request.POST.get("RelayState", "")})
        return HttpResponseRedirect(f"{reverse('saml-slo')}?{chain}", status=303)
    idp = saml.idp(request)
    try:
        provider, message = messages.read(idp, "logout", BINDING_HTTP_POST, request.POST)
        pending = messages.pending_logout(provider, message, request.POST.get("RelayState", ""), BINDING_HTTP_POST)
    except messages.Refused as refusal:
        return _refused(request, refusal)
    return HttpResponseRedirect(f"{reverse('saml-slo')}?{urlencode({'pending': messages.seal(pending)})}", status=303)


def _next_logout(request: HttpRequest, token: str) -> HttpResponse:
    """Guichet's logout chains through the SPs that take LogoutRequests by HTTP-POST only."""
    try:
        outgoing = saml_logout.next_step(request, token)
    except messages.Refused as refusal:
        return _refused(request, refusal)
    return _carry(
        request, outgoing, _("Déconnexion en cours"), _("Vos applications sont prévenues de votre déconnexion.")
    )


def _logout(
    request: HttpRequest, idp: saml.Idp, provider: saml.ServiceProvider, pending: messages.Pending
) -> HttpResponse:
    """SP-initiated single logout: end the Guichet session if it is this person's, then answer."""
    account = auth.signed_in(request)
    client = _client(provider)
    sid = request.session.get(sessions.SID)
    # The NameID this SP was given in this session (persistent and transient ones are not
    # the identifier), or the identifier itself.
    given = actions.gave_name_id(sid, client, pending["name_id"]) if client else False
    ended = bool(account and client and (given or pending["name_id"].lower() == account.identifier.lower()))
    if ended and client is not None:
        # The service provider asking knows already: it gets no LogoutRequest of its own.
        actions.ended_at_client(sid, client)
        sessions.end(request, "logout")
    record(
        events.SAML_LOGOUT,
        actor=account if ended else None,
        subject=account if ended else None,
        ip=client_ip(request),
        client=provider.slug,
        initiator="sp",
        session_ended=ended,
    )
    outgoing = messages.logout_response(idp, pending)
    return _carry(request, outgoing, _("Déconnexion"), _("Vous êtes déconnecté de Guichet."))
