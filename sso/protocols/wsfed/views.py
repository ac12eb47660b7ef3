"""WS-Federation passive end point (/wsfed/) and federation metadata, for Exchange's
claims-based authentication (Outlook on the web, the admin center) and other WS-Fed
relying parties. The person signs in through Guichet's own sign-in (sso.auth)."""

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actions import sessions
from accounts.directories import DirectoryUnavailable
from audit.actions import client_ip, record

from ... import access, actions, auth, csp, events
from ...views import wrong_portal
from ..saml import idp as saml
from . import metadata as wsfed_metadata
from . import rules as wsfed


def issuer(request: HttpRequest) -> str:
    """The STS's name and passive end point (Exchange's -AdfsIssuer): one URL for both."""
    return f"{saml.base_url(request)}{reverse('wsfed')}"


def _refused(request: HttpRequest, event: str, **data: str) -> HttpResponse:
    details: dict[str, Any] = {k: v[:200] for k, v in data.items()}
    record(event, ip=client_ip(request), **details)
    return render(request, "sso/cas_unknown_service.html", status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def passive(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    action = params.get("wa", "")
    if action in ("wsignout1.0", "wsignoutcleanup1.0"):
        return _signout(request, params)
    if action == "wsignin1.0" and request.method == "GET":
        return _signin(request, params)
    return _refused(request, events.WSFED_BAD_REQUEST, wa=action)


def _signin(request: HttpRequest, params: QueryDict) -> HttpResponse:
    realm = params.get("wtrealm", "")
    client = wsfed.client_for_realm(realm)
    if client is None:
        return _refused(request, events.WSFED_UNKNOWN_REALM, realm=realm)
    target = wsfed.reply_url(client, params.get("wreply", ""))
    if target is None:
        return _refused(request, events.WSFED_WRONG_REPLY, realm=realm, wreply=params.get("wreply", ""))
    # wfresh=0: the relying party wants a password typed now (as CAS renew).
    account = auth.signed_in(request, renew=params.get("wfresh", "") == "0")
    if account is None:
        return auth.to_login(request, renew=params.get("wfresh", "") == "0")
    if not access.may_use(account, client):
        return wrong_portal(request, account, client)
    try:
        claims = wsfed.claims_for(account)
    except DirectoryUnavailable:
        record(events.WSFED_DIRECTORY_UNAVAILABLE, subject=account, client=client.slug)
        return render(request, "sso/unavailable.html", {"client": client}, status=503)
    stamp = request.session.get(sessions.LOGIN_AT)
    login_at = datetime.fromtimestamp(stamp, tz=UTC) if stamp else timezone.now()
    wresult = wsfed.response(
        issuer(request),
        realm,
        claims,
        login_at,
        assertion_format=client.config.get("token", "saml11"),
        recipient=target,
    )
    actions.signed_on(
        client,
        account,
        request.session.get(sessions.SID),
        event=events.WSFED_SIGNIN,
        data={"realm": realm},
        actor=account,
        ip=client_ip(request),
    )
    fields = [("wa", "wsignin1.0"), ("wresult", wresult)]
    if params.get("wctx"):
        fields.append(("wctx", params.get("wctx", "")))
    context = {
        "action": target,
        "fields": fields,
        "title": _("Connexion en cours"),
        "text": _("Connexion à %(name)s en cours.") % {"name": client.name},
    }
    response = render(request, "sso/saml_post.html", context)
    response["Cache-Control"] = "no-store"
    return csp.allow_form_action(response, target)


def _signout(request: HttpRequest, params: QueryDict) -> HttpResponse:
    """wsignout1.0: a GET only asks (a cross-site link must not sign anyone out); the form's
    POST ends the Guichet session, then returns to a registered reply URL of the realm."""
    client = wsfed.client_for_realm(params.get("wtrealm", ""))
    back = wsfed.reply_url(client, params.get("wreply", "")) if client else None
    if request.user.is_authenticated:
        if request.method == "GET":
            hidden = {"wa": "wsignout1.0", "wtrealm": params.get("wtrealm", "") if client else ""}
            if back:
                hidden["wreply"] = back
            return render(request, "sso/wsfed_logout_confirm.html", {"hidden": hidden})
        sessions.end(request, "logout")
    if back:
        return HttpResponseRedirect(back)
    return render(request, "sso/cas_logged_out.html")


@require_safe
def federation_metadata(request: HttpRequest) -> HttpResponse:
    body = wsfed_metadata.document(issuer(request), issuer(request))
    return HttpResponse(body, content_type="application/samlmetadata+xml")
