"""Zimbra's one end point: « Ouvrir ma messagerie » as a preauth URL, built now, followed at once."""

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.actions import sessions
from audit.actions import client_ip, record
from institutions.models import Client

from ... import access, actions, auth, events
from ...views import wrong_portal
from . import rules as zimbra


def zimbra_open(request: HttpRequest, slug: str) -> HttpResponse:
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
        record(events.ZIMBRA_NO_KEY, subject=account, client=client.slug, domain=domain)
        return render(request, "sso/unavailable.html", {"client": client}, status=503)
    url = zimbra.preauth_url(client.config["preauth_url"], key, account.identifier, by=client.config.get("by", "name"))
    sid = request.session.get(sessions.SID)
    actions.signed_on(client, account, sid, event=events.ZIMBRA_PREAUTH, actor=account, ip=client_ip(request))
    response = redirect(url)
    response["Cache-Control"] = "no-store"
    return response
