from base64 import b32encode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user

from audit.actions import client_ip
from audit.models import Event
from institutions import queries, routing

from . import passkeys, signin_page
from .actions import factors, sessions, signin, throttling
from .forms import CodeForm, IdentifierForm, PasswordConfirmForm
from .models import RecoveryCodeDevice, TOTPDevice

# Where `next` may send someone after sign-in: our own pages, by route name.
POST_LOGIN_ROUTES = {
    "services",
    "connections",
    "security",
    "totp",
    "contacts",
    "home",
    "platform",
    "admin:index",
    "support-desk",
    "support-approvals",
    "hr-requests",
    "hr-request-new",
    # Single sign-on end points send people here and expect them back.
    "zimbra-open",
    "oidc-authorize",
    "saml-sso",
    "cas-login",
    "wsfed",
}


def _attempt_labels():
    return {
        "accounts.signin.success": _("Connexion réussie"),
        "accounts.signin.failure": _("Mot de passe incorrect"),
        "accounts.signin.second_factor_failure": _("Code de vérification incorrect"),
        "accounts.signin.paused": _("Connexion suspendue après plusieurs erreurs"),
        "accounts.signin.refused_paused": _("Refusée : connexion suspendue"),
        "accounts.signin.ip_blocked": _("Refusée : réseau bloqué"),
        "accounts.signin.refused_locked": _("Refusée : trop d'erreurs, réinitialisation nécessaire"),
        "accounts.signin.slowed": _("Différée : réseau très sollicité"),
        "accounts.signin.inactive": _("Refusée : compte inactif"),
        "accounts.signin.directory_unavailable": _("Annuaire indisponible"),
    }


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None) and candidate.startswith("/"):
        try:
            match = resolve(candidate.split("?", 1)[0])
        except Resolver404:
            match = None
        if match and match.view_name in POST_LOGIN_ROUTES:
            return candidate
    return reverse("services")


def _institution_for(identifier: str):
    result = queries.route(identifier)
    return result.target.institution if result.status == routing.MATCHED else None


def _signin_page(request, form, step, *, status=200, error="", error_field="password", pace_issued=None, **extra):
    # When the form was shown, signed: on a busy campus network an attempt must come from a
    # form that stayed on screen a few seconds (accounts/throttle.py, `slow_delay`).
    pace = throttling.pace_token(client_ip(request), pace_issued)
    identifier = str(form["identifier"].value() or "")
    context = {"form": form, "step": step, "error": error, "error_field": error_field, "pace": pace, **extra}
    response = render(
        request, "accounts/login.html", {**signin_page.context(request, identifier), **context}, status=status
    )
    if extra.get("delay"):
        response["Retry-After"] = str(extra["delay"])
    return response


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Identifier first, then password; a POST carrying both signs in at once."""
    if request.method == "GET":
        renew = request.GET.get("renew") == "1"  # a client asked for a fresh password
        if request.user.is_authenticated and not renew:
            return redirect(_safe_next(request, request.GET.get("next", "")))
        identifier = request.user.identifier if request.user.is_authenticated else request.GET.get("identifier", "")
        form = IdentifierForm(initial={"next": request.GET.get("next", ""), "identifier": identifier})
        return _signin_page(request, form, "identifier", renew=renew)

    form = IdentifierForm(request.POST)
    if not form.is_valid():
        return _signin_page(request, form, "identifier")
    identifier = form.cleaned_data["identifier"].strip()
    password = form.cleaned_data["password"]
    institution = form.cleaned_data["institution"] or _institution_for(identifier)
    if institution is None or not password:
        # A fresh form: the password is never echoed back into the page.
        fresh = IdentifierForm(
            initial={"identifier": identifier, "institution": institution, "next": form.cleaned_data["next"]}
        )
        error, error_field = "", "password"
        if password and institution is None:
            error, error_field = _("Choisissez votre établissement."), "institution"
        elif request.POST.get("step") == "password":
            # The password step came back empty: say so at the field, not silently.
            error = _("Saisissez votre mot de passe.")
        # The identifier step's form was on screen too: its time counts towards the delay.
        issued = throttling.pace_issued(request.POST.get("pace", "")[:500], client_ip(request))
        return _signin_page(
            request,
            fresh,
            "password",
            error=error,
            error_field=error_field,
            choose_institution=institution is None,
            pace_issued=issued,
        )

    outcome = signin.attempt(request, identifier, password, institution, pace=request.POST.get("pace", "")[:500])
    next_url = _safe_next(request, form.cleaned_data["next"])
    if outcome.status == "ok":
        return _signed_in(request, outcome.account, None, next_url)
    if outcome.status == "second_factor":
        signin.start_second_factor(request, outcome.account, next_url)
        return redirect("login-verify")
    if outcome.status in ("paused", "locked", "ip_blocked"):
        return _paused(request, outcome)
    if outcome.status == "unavailable":
        return render(request, "accounts/unavailable.html", {"institution": institution}, status=503)
    retry = IdentifierForm(
        initial={"identifier": identifier, "institution": institution, "next": form.cleaned_data["next"]}
    )
    if outcome.status == "slowed":
        error = _(
            "Beaucoup de tentatives de connexion viennent en ce moment du réseau de votre établissement. "
            "Par sécurité, saisissez à nouveau votre mot de passe : il sera accepté dans %(n)s secondes."
        ) % {"n": outcome.delay}
        return _signin_page(
            request, retry, "password", error=error, status=429, delay=outcome.delay, pace_issued=outcome.pace_issued
        )
    if outcome.status == "inactive":
        error = _("Ce compte n'est plus actif. Contactez le support de votre établissement.")
    else:
        error = _("Identifiant ou mot de passe incorrect.")
    return _signin_page(request, retry, "password", error=error, remaining=outcome.remaining)


def _paused(request, outcome):
    return render(request, "accounts/paused.html", {"until": outcome.until, "kind": outcome.status}, status=429)


# The sign-in form may only post to Guichet (CSP form-action), and browsers apply that to
# every redirect that follows the POST: a single sign-on end point that sends the person on
# to a platform would be blocked. For those, a page that moves on by itself starts a fresh
# navigation instead (a meta refresh, so it works without JavaScript too).
LEAVES_GUICHET = {"zimbra-open", "oidc-authorize", "saml-sso", "cas-login", "wsfed"}


def _leaves_guichet(next_url: str) -> bool:
    try:
        return resolve(next_url.split("?", 1)[0]).view_name in LEAVES_GUICHET
    except Resolver404:
        return False


def _signed_in(request, account, device, next_url):
    cookie = signin.complete(request, account, device)
    if _leaves_guichet(next_url):
        response = render(request, "accounts/continue.html", {"next_url": next_url})
    else:
        response = redirect(next_url)
    if cookie:
        response.set_signed_cookie(
            signin.DEVICE_COOKIE,
            cookie,
            salt=signin.DEVICE_COOKIE,
            max_age=400 * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    account, next_url = signin.pending_account(request)
    if account is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = signin.verify_second_factor(request, account, form.cleaned_data["code"])
        if outcome.status == "ok":
            return _signed_in(request, account, outcome.device, next_url)
        if outcome.status in ("paused", "locked"):
            return _paused(request, outcome)
        error = _("Code incorrect. Vérifiez l'heure de votre téléphone, ou utilisez un code de secours.")
    context = {"form": form, "error": error, "account": account, **passkeys.verify_context(request, account)}
    return render(request, "accounts/verify.html", context)


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            sessions.end(request, "logout")
        return redirect("home")
    return render(request, "accounts/logout.html")


@login_required
def connections(request: HttpRequest) -> HttpResponse:
    account = request.user
    labels = _attempt_labels()
    return render(
        request,
        "accounts/connections.html",
        {
            "sessions": sessions.active(account),
            "current_sid": request.session.get(sessions.SID),
            "attempts": [
                {"at": e.at, "ip": e.ip, "label": labels.get(e.code, e.code)}
                for e in Event.objects.filter(subject=account, code__startswith="accounts.signin.")[:20]
            ],
        },
    )


@login_required
@require_POST
def revoke_session(request: HttpRequest, pk: int) -> HttpResponse:
    sessions.revoke(request, request.user, pk)
    return redirect("connections")


@login_required
@require_POST
def revoke_all_sessions(request: HttpRequest) -> HttpResponse:
    sessions.revoke_all(request, request.user)
    return redirect("login")


def _needs_fresh_password(request):
    if factors.has_fresh_password(request):
        return None
    return redirect(f"{reverse('reauth')}?{urlencode({'next': request.get_full_path()})}")


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if factors.confirm_password(request, request.user, form.cleaned_data["password"]):
            return redirect(_safe_next(request, request.GET.get("next", "")))
        error = _("Mot de passe incorrect.")
    return render(request, "accounts/reauth.html", {"form": form, "error": error})


@login_required
def security(request: HttpRequest) -> HttpResponse:
    devices = list(devices_for_user(request.user, confirmed=True))
    return render(
        request,
        "accounts/security.html",
        {
            "devices": devices,
            "has_totp": any(isinstance(d, TOTPDevice) for d in devices),
            "recovery": next((d for d in devices if isinstance(d, RecoveryCodeDevice)), None),
            **passkeys.security_context(request, devices),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def totp(request: HttpRequest) -> HttpResponse:
    if denied := _needs_fresh_password(request):
        return denied
    account = request.user
    form = CodeForm(request.POST or None)
    error = ""
    device = TOTPDevice.objects.filter(user=account, confirmed=False).first()
    if request.method == "POST" and device and form.is_valid():
        if factors.confirm_totp(request, account, device, form.cleaned_data["code"]):
            return redirect("security")
        error = _("Ce code ne correspond pas. Saisissez le code affiché maintenant par l'application.")
    if device is None or request.method == "GET":
        device = factors.start_totp(account)
    return render(
        request,
        "accounts/totp.html",
        {"form": form, "error": error, "qr": factors.totp_qr_svg(device), "secret": b32encode(device.bin_key).decode()},
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if denied := _needs_fresh_password(request):
        return denied
    codes = factors.new_recovery_codes(request, request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def remove_device(request: HttpRequest) -> HttpResponse:
    if denied := _needs_fresh_password(request):
        return denied
    wanted = request.POST.get("device", "")
    device = next((d for d in devices_for_user(request.user, confirmed=None) if d.persistent_id == wanted), None)
    if device is None:
        raise Http404
    factors.remove_factor(request, request.user, device)
    return redirect("security")
