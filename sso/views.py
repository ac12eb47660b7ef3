from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.actions import client_ip, record
from institutions.models import Client

from . import access, actions, auth
from .logout import remember
from .models import OidcConsent
from .protocols import zimbra


def wrong_portal(
    request: HttpRequest, account, client: Client, back_url: str = "", back_form: tuple[str, list] | None = None
) -> HttpResponse:
    """« Mauvais portail »: never a bare error, always the right door one click away; and,
    where the protocol has one, a way back telling the client it was refused (`back_url`)."""
    record("sso.access.wrong_portal", subject=account, ip=client_ip(request), client=client.slug)
    response = render(
        request,
        "sso/wrong_portal.html",
        {
            "client": client,
            "door": access.right_door(account),
            "account": account,
            "back_url": back_url,
            "back_action": back_form[0] if back_form else "",
            "back_fields": back_form[1] if back_form else [],
        },
        status=403,
    )
    if back_form:  # the answer to the client is a form it must be allowed to post
        target = urlsplit(back_form[0])
        response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


def _open_url(client: Client) -> str:
    if client.protocol == "zimbra":
        return reverse("zimbra-open", args=[client.slug])
    return client.launch_url or (client.platform.webmail_url if client.platform else "")


def _cards(account) -> list[dict]:
    """« Mes services »: the recommended platform first, then every client this person may open."""
    recommended = access.recommended_platform(account)
    clients = access.clients_for(account)
    cards = []
    if recommended:
        own = next((c for c in clients if c.platform_id == recommended.pk), None)
        cards.append(
            {
                "name": recommended.name,
                "use": recommended.main_use,
                "url": _open_url(own) if own else recommended.webmail_url,
                "recommended": True,
                "unconfirmed": not recommended.url_confirmed,
            }
        )
    for client in clients:
        if recommended and client.platform_id == recommended.pk:
            continue
        url = _open_url(client)
        if url:
            cards.append({"name": client.name, "use": client.platform.main_use if client.platform else "", "url": url})
    return cards


@login_required
def services(request: HttpRequest) -> HttpResponse:
    account = request.user
    return render(
        request,
        "sso/services.html",
        {
            "account": account,
            "cards": _cards(account),
            "no_recovery_channel": not (account.has_verified_secondary_email or account.has_verified_mobile),
            "reconfirm_channels": account.needs_channel_reconfirmation(),
            "consents": _consents(account),
        },
    )


def _consents(account) -> list:
    from . import oidc  # the OIDC module connects signals: imported when needed

    rows = list(OidcConsent.objects.filter(account=account).select_related("client").order_by("client__name"))
    for row in rows:
        row.descriptions = [str(oidc.SCOPE_DESCRIPTIONS.get(s, s)) for s in row.scopes if s != "openid"]
    return rows


@login_required
@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actions.revoke_consent(request.user, pk, ip=client_ip(request))
    return redirect(f"{reverse('services')}#autorisations")


def zimbra_open(request: HttpRequest, slug: str) -> HttpResponse:
    """« Ouvrir ma messagerie » for Zimbra: a preauth URL, built now, followed at once."""
    client = get_object_or_404(Client, slug=slug, protocol="zimbra")
    account = auth.signed_in(request)
    if account is None:
        return auth.to_login(request)
    if not access.may_use(account, client):
        return wrong_portal(request, account, client)
    domain = account.identifier.rpartition("@")[2]
    try:
        key = zimbra.preauth_key(domain)
    except ImproperlyConfigured:
        record("sso.zimbra.no_key", subject=account, client=client.slug, domain=domain)
        return render(request, "sso/unavailable.html", {"client": client}, status=503)
    url = zimbra.preauth_url(client.config["preauth_url"], key, account.identifier, by=client.config.get("by", "name"))
    remember(request, client)
    record("sso.zimbra.preauth", actor=account, subject=account, ip=client_ip(request), client=client.slug)
    response = redirect(url)
    response["Cache-Control"] = "no-store"
    return response
