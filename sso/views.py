from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account
from audit.actions import client_ip, record
from institutions.models import Client

from . import access, actions, auth, csp, events
from .models import OidcConsent


def wrong_portal(
    request: HttpRequest,
    account: Account,
    client: Client,
    back_url: str = "",
    back_form: tuple[str, list[tuple[str, str]]] | None = None,
) -> HttpResponse:
    """« Mauvais portail »: never a bare error, always the right door one click away; and,
    where the protocol has one, a way back telling the client it was refused (`back_url`)."""
    record(events.ACCESS_WRONG_PORTAL, subject=account, ip=client_ip(request), client=client.slug)
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
        csp.allow_form_action(response, back_form[0])
    return response


def _open_url(client: Client) -> str:
    if client.protocol == "zimbra":
        return reverse("zimbra-open", args=[client.slug])
    return client.launch_url or (client.platform.webmail_url if client.platform else "")


def _cards(account: Account) -> list[dict[str, object]]:
    """« Mes services »: the recommended platform first, then every client this person may open."""
    recommended = access.recommended_platform(account)
    clients = access.clients_for(account)
    cards: list[dict[str, object]] = []
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
    account = auth.account(request)
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


@dataclass(frozen=True)
class ConsentCard:
    pk: int
    client: Client
    descriptions: list[str]


def _consents(account: Account) -> list[ConsentCard]:
    from .protocols.oidc import rules as oidc  # imported when needed: sso.views is imported by every protocol

    rows = OidcConsent.objects.filter(account=account).select_related("client").order_by("client__name")
    return [
        ConsentCard(row.pk, row.client, [str(oidc.SCOPE_DESCRIPTIONS.get(s, s)) for s in row.scopes if s != "openid"])
        for row in rows
    ]


@login_required
@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actions.revoke_consent(auth.account(request), pk, ip=client_ip(request))
    return redirect(f"{reverse('services')}#autorisations")
