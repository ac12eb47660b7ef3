"""CAS 3.0 end points under /cas/: login, logout, serviceValidate, p3/serviceValidate,
proxyValidate. The person signs in through Guichet's own sign-in (sso.auth)."""

import requests
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.actions import sessions
from audit.actions import client_ip, record

from . import access, auth
from .logout import notifier
from .models import SignOn
from .protocols import cas
from .views import wrong_portal


def _with_ticket(service: str, ticket: str) -> str:
    return f"{service}{'&' if '?' in service else '?'}{urlencode({'ticket': ticket})}"


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    service = request.GET.get("service", "")
    renew = request.GET.get("renew", "") not in ("", "false")
    gateway = request.GET.get("gateway", "") not in ("", "false") and not renew  # renew wins (spec §2.1.1)
    client = cas.client_for_service(service) if service else None
    if service and client is None:
        record("sso.cas.unknown_service", ip=client_ip(request), service=service[:200])
        return render(request, "sso/cas_unknown_service.html", status=400)
    account = auth.signed_in(request, renew=renew)
    if account is None:
        if gateway and service:
            return redirect(service)  # no credentials asked, no ticket given
        if gateway:
            return render(request, "sso/cas_logged_out.html")
        return auth.to_login(request, renew=renew)
    if client is None:
        return redirect("services")  # signed in, nowhere to go: « Mes services »
    if not access.may_use(account, client):
        return wrong_portal(request, account, client)
    ticket = cas.issue(client, service, account, request.session.get(sessions.SID, ""), from_credentials=renew)
    record("sso.cas.ticket_issued", actor=account, subject=account, ip=client_ip(request), client=client.slug)
    return redirect(_with_ticket(service, ticket))


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """A GET only asks (a cross-site link or image must not sign anyone out); the POST does it."""
    service = request.POST.get("service", "") if request.method == "POST" else request.GET.get("service", "")
    allowed = bool(service) and cas.client_for_service(service) is not None
    if request.user.is_authenticated:
        if request.method == "GET":
            return render(request, "sso/cas_logout_confirm.html", {"service": service if allowed else ""})
        sessions.end(request, "logout")
    if allowed:
        return redirect(service)
    return render(request, "sso/cas_logged_out.html")


def _validate(request: HttpRequest, *, with_attributes: bool) -> HttpResponse:
    service = request.GET.get("service", "")
    renew = request.GET.get("renew", "") not in ("", "false")
    row, failure, message = cas.validate(request.GET.get("ticket", ""), service, renew=renew)
    if row is None:
        record("sso.cas.validation_failed", ip=client_ip(request), failure=failure)
        body = cas.failure_xml(failure, message)
    else:
        record("sso.cas.validated", subject=row.account, ip=client_ip(request), client=row.client.slug)
        if row.sid:
            SignOn.objects.create(
                sid=row.sid, client=row.client, data={"ticket_id": request.GET["ticket"], "service": service}
            )
        body = cas.success_xml(row, with_attributes=with_attributes)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


@require_GET
def service_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=False)


@require_GET
def p3_service_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=True)


@require_GET
def proxy_validate(request: HttpRequest) -> HttpResponse:
    # Only service tickets exist here (no proxy granting), so this is serviceValidate.
    return _validate(request, with_attributes=False)


@notifier("cas")
def _goodbye(request, sign_on) -> None:
    """Back-channel single logout: POST the LogoutRequest to the service (CAS 3.0 §2.3.3)."""
    url = sign_on.client.config.get("logout_url") or sign_on.data.get("service")
    if not url:
        return
    payload = {"logoutRequest": cas.logout_request(sign_on.data["ticket_id"])}
    requests.post(url, data=payload, timeout=3, allow_redirects=False)
