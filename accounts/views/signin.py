"""Signing in and out: identifier, password, second factor by code (passkeys: views/passkeys.py)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from audit.actions import client_ip
from institutions import queries, routing
from institutions.models import Institution

from .. import destinations, page_slots, signin_page
from ..actions import factors, sessions, signin, throttling
from ..forms import CodeForm, IdentifierForm, PasswordConfirmForm
from . import passkeys
from .completion import safe_next, signed_in
from .request import SignedInRequest


def _institution_for(identifier: str) -> Institution | None:
    result = queries.route(identifier)
    if result.status == routing.MATCHED and result.target is not None:
        return result.target.institution
    return None


def _signin_page(
    request: HttpRequest,
    form: IdentifierForm,
    step: str,
    *,
    status: int = 200,
    error: str = "",
    error_field: str = "password",
    pace_issued: float | None = None,
    slots: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    # When the form was shown, signed: on a busy campus network an attempt must come from a
    # form that stayed on screen a few seconds (accounts/throttle.py, `slow_delay`).
    pace = throttling.pace_token(client_ip(request), pace_issued)
    identifier = str(form["identifier"].value() or "")
    context = {"form": form, "step": step, "error": error, "error_field": error_field, "pace": pace, **extra}
    context.update(slots or {})  # accounts/page_slots.py: placeholders for the per-visit tokens
    response = render(
        request, "accounts/login.html", {**signin_page.context(request, identifier), **context}, status=status
    )
    if extra.get("delay"):
        response["Retry-After"] = str(extra["delay"])
    return response


def _password_step(request: HttpRequest, form: IdentifierForm, institution: Institution | None) -> HttpResponse:
    """The identifier is known but no password came (or no institution matched): ask again."""
    identifier, password = form.cleaned_data["identifier"].strip(), form.cleaned_data["password"]
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


def _refused(
    request: HttpRequest, form: IdentifierForm, institution: Institution, outcome: signin.Outcome
) -> HttpResponse:
    """A wrong password, a slowed campus network or an inactive account: the password step again."""
    retry = IdentifierForm(
        initial={
            "identifier": form.cleaned_data["identifier"].strip(),
            "institution": institution,
            "next": form.cleaned_data["next"],
        }
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


def _first_step(request: HttpRequest) -> HttpResponse:
    renew = request.GET.get("renew") == "1"  # a client asked for a fresh password
    if request.user.is_authenticated and not renew:
        return redirect(safe_next(request.GET.get("next", "")))
    identifier = request.user.get_username() if request.user.is_authenticated else request.GET.get("identifier", "")
    form = IdentifierForm(initial={"next": request.GET.get("next", ""), "identifier": identifier})
    if page_slots.anonymous_and_plain(request):
        # The 8 a.m. case: the same page for everyone but its two tokens (accounts/page_slots.py).
        return page_slots.render_with_slots(
            request,
            "signin",
            lambda slots: _signin_page(request, form, "identifier", slots=slots),
            lambda: throttling.pace_token(client_ip(request)),
        )
    return _signin_page(request, form, "identifier", renew=renew)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Identifier first, then password; a POST carrying both signs in at once."""
    if request.method == "GET":
        return _first_step(request)
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        return _signin_page(request, form, "identifier")
    identifier = form.cleaned_data["identifier"].strip()
    password = form.cleaned_data["password"]
    institution = form.cleaned_data["institution"] or _institution_for(identifier)
    if institution is None or not password:
        return _password_step(request, form, institution)

    outcome = signin.attempt(request, identifier, password, institution, pace=request.POST.get("pace", "")[:500])
    next_url = safe_next(form.cleaned_data["next"])
    if outcome.status == "ok" and outcome.account is not None:
        return signed_in(request, outcome.account, None, next_url)
    if outcome.status == "second_factor" and outcome.account is not None:
        signin.start_second_factor(request, outcome.account, next_url)
        return redirect("login-verify")
    if outcome.status in ("paused", "locked", "ip_blocked"):
        return _paused(request, outcome)
    if outcome.status == "unavailable":
        return render(request, "accounts/unavailable.html", {"institution": institution}, status=503)
    return _refused(request, form, institution, outcome)


def _paused(request: HttpRequest, outcome: signin.Outcome) -> HttpResponse:
    return render(request, "accounts/paused.html", {"until": outcome.until, "kind": outcome.status}, status=429)


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
            return signed_in(request, account, outcome.device, next_url)
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
        return redirect(destinations.url(destinations.HOME))
    return render(request, "accounts/logout.html")


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def reauth(request: SignedInRequest) -> HttpResponse:
    """« Confirmer votre mot de passe » before a sensitive change (decorators.require_fresh_password)."""
    form = PasswordConfirmForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if factors.confirm_password(request, request.user, form.cleaned_data["password"]):
            return redirect(safe_next(request.GET.get("next", "")))
        error = _("Mot de passe incorrect.")
    return render(request, "accounts/reauth.html", {"form": form, "error": error})
