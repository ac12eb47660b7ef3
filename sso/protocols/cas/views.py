"""CAS 3.0 end points under /cas/: login, logout, validate (CAS 1.0), serviceValidate,
proxyValidate, proxy and their p3/ forms. The person signs in through Guichet's own sign-in
(sso.auth); credentials posted to /cas/login (§2.2) go through that same sign-in."""

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import views as accounts_views
from accounts.actions import sessions
from audit.actions import client_ip, record

from ... import access, actions, auth, events
from ...views import wrong_portal
from . import responses as answers
from . import rules as cas

# Set when /cas/login sends the person to type their password; a sign-in completed after
# it makes the next ticket "isFromNewLogin" (CAS 3.0 §2.6.2).
LOGIN_ASKED_AT = "sso.cas.login_asked_at"


def _with_ticket(service: str, ticket: str) -> str:
    return f"{service}{'&' if '?' in service else '?'}{urlencode({'ticket': ticket})}"


def _flag(value: str) -> bool:
    return value not in ("", "false")


def _typed_password_now(request: HttpRequest, renew: bool) -> bool:
    asked = request.session.pop(LOGIN_ASKED_AT, None)
    return renew or (asked is not None and request.session.get(sessions.LOGIN_AT, 0) > asked)


def _login_at(request: HttpRequest) -> datetime:
    stamp = request.session.get(sessions.LOGIN_AT)
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp else timezone.now()


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    service = params.get("service", "")
    renew = _flag(params.get("renew", ""))
    gateway = _flag(params.get("gateway", "")) and not renew  # renew wins (spec §2.1.1)
    client = cas.client_for_service(service) if service else None
    if service and client is None:
        record(events.CAS_UNKNOWN_SERVICE, ip=client_ip(request), service=service[:200])
        return render(request, "sso/cas_unknown_service.html", status=400)
    if request.method == "POST":
        return _credentials(request, service, renew)
    account = auth.signed_in(request, renew=renew)
    if account is None:
        if gateway and service:
            return redirect(service)  # no credentials asked, no ticket given
        if gateway:
            return render(request, "sso/cas_logged_out.html")
        request.session[LOGIN_ASKED_AT] = timezone.now().timestamp()
        return auth.to_login(request, renew=renew)
    if client is None:
        return redirect("services")  # signed in, nowhere to go: « Mes services »
    if not access.may_use(account, client):
        return wrong_portal(request, account, client)
    ticket = cas.issue(
        client,
        service,
        account,
        request.session.get(sessions.SID, ""),
        from_credentials=_typed_password_now(request, renew),
        login_at=_login_at(request),
    )
    record(events.CAS_TICKET_ISSUED, actor=account, subject=account, ip=client_ip(request), client=client.slug)
    return redirect(_with_ticket(service, ticket))


def _credentials(request: HttpRequest, service: str, renew: bool) -> HttpResponse:
    """§2.2 credential acceptor: `username` and `password` go to Guichet's own sign-in, so the
    same throttling, second factor and CSRF check (the form's token plays the login ticket's
    part) apply; on success the person comes back to /cas/login for the ticket."""
    back = f"{request.path}?{urlencode({'service': service})}" if service else request.path
    form = QueryDict(mutable=True)
    form.update(
        {
            "identifier": request.POST.get("username", ""),
            "password": request.POST.get("password", ""),
            "next": back,
        }
    )
    request.session[LOGIN_ASKED_AT] = timezone.now().timestamp()
    request.POST = form  # type: ignore[assignment]  # the stubs type POST as immutable; the sign-in reads it
    return accounts_views.login(request)


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


def _answer(body_and_type: tuple[bytes, str]) -> HttpResponse:
    body, content_type = body_and_type
    return HttpResponse(body, content_type=content_type)


def _validation(request: HttpRequest, *, proxies_allowed: bool) -> cas.Validation:
    service = request.GET.get("service", "")
    ticket = request.GET.get("ticket", "")
    result = cas.validate(ticket, service, renew=_flag(request.GET.get("renew", "")), proxies_allowed=proxies_allowed)
    row = result.row
    if row is None:
        record(events.CAS_VALIDATION_FAILED, ip=client_ip(request), failure=result.code)
        return result
    pgt_url = request.GET.get("pgtUrl", "")
    if pgt_url:
        if not cas.callback_allowed(row.client, pgt_url):
            record(events.CAS_PROXY_CALLBACK_REFUSED, subject=row.account, client=row.client.slug)
            return cas.Validation(code="INVALID_PROXY_CALLBACK", message="proxy callback not allowed")
        result.pgtiou = cas.grant(row, pgt_url)
        record(events.CAS_PROXY_GRANTED, subject=row.account, client=row.client.slug, granted=bool(result.pgtiou))
    data = {"ticket_id": ticket, "service": service}
    actions.signed_on(
        row.client, row.account, row.sid, event=events.CAS_VALIDATED, data=data, ip=client_ip(request), kind=row.kind
    )
    return result


def _validate(request: HttpRequest, *, with_attributes: bool, proxies_allowed: bool) -> HttpResponse:
    fmt = "JSON" if request.GET.get("format", "").upper() == "JSON" else "XML"
    result = _validation(request, proxies_allowed=proxies_allowed)
    if not result.ok:
        return _answer(answers.failure(result.code, result.message, fmt=fmt))
    return _answer(answers.success(result, with_attributes=with_attributes, fmt=fmt))


@require_GET
def validate(request: HttpRequest) -> HttpResponse:
    """CAS 1.0 (§2.4): service tickets only, no proxy granting, a two-line answer."""
    result = cas.validate(
        request.GET.get("ticket", ""), request.GET.get("service", ""), renew=_flag(request.GET.get("renew", ""))
    )
    if result.row is not None:
        data = {"ticket_id": request.GET["ticket"], "service": request.GET["service"]}
        row = result.row
        actions.signed_on(
            row.client, row.account, row.sid, event=events.CAS_VALIDATED, data=data, ip=client_ip(request), version=1
        )
    else:
        record(events.CAS_VALIDATION_FAILED, ip=client_ip(request), version=1)
    return _answer(answers.v1(result))


@require_GET
def service_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=False, proxies_allowed=False)


@require_GET
def p3_service_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=True, proxies_allowed=False)


@require_GET
def proxy_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=False, proxies_allowed=True)


@require_GET
def p3_proxy_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, with_attributes=True, proxies_allowed=True)


@require_GET
def proxy(request: HttpRequest) -> HttpResponse:
    """§2.7: a proxy trades its PGT for a proxy ticket to a registered target service."""
    fmt = "JSON" if request.GET.get("format", "").upper() == "JSON" else "XML"
    ticket, code, message = cas.proxy(request.GET.get("pgt", ""), request.GET.get("targetService", ""))
    if not ticket:
        record(events.CAS_PROXY_REFUSED, ip=client_ip(request), failure=code)
        return _answer(answers.proxy_failure(code, message, fmt=fmt))
    record(events.CAS_PROXY_TICKET_ISSUED, ip=client_ip(request))
    return _answer(answers.proxy_success(ticket, fmt=fmt))
