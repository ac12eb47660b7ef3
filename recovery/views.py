from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actions.signin import trusted_device
from accounts.decorators import require_fresh_password
from accounts.models import Account
from audit.actions import client_ip
from institutions.models import RecoveryPath

from . import actions, policy
from .actions import channels
from .forms import ChannelCodeForm, ChannelForm, CodeForm, NewPasswordForm, RequestForm
from .models import ResetCode


def _signed_in(request: HttpRequest) -> Account:
    """The person behind a login_required view."""
    if not isinstance(request.user, Account):
        raise PermissionDenied
    return request.user


def _request_page(request: HttpRequest, form: RequestForm, *, status: int = 200) -> HttpResponse:
    return render(request, "recovery/request.html", {"form": form, "paths": RecoveryPath.objects.all()}, status=status)


def _sent_page(
    request: HttpRequest, identifier: str, form: CodeForm | None = None, *, error: str = "", link_sent: bool = False
) -> HttpResponse:
    """After a request by e-mail, where to look for the link; by SMS, where to type the code."""
    form = form or CodeForm(initial={"identifier": identifier})
    return render(request, "recovery/sent.html", {"form": form, "error": error, "link_sent": link_sent})


@never_cache
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """« Mot de passe oublié ? »: the same answer whatever the identifier and contact were."""
    if request.method == "GET":
        return _request_page(request, RequestForm(initial={"identifier": request.GET.get("identifier", "")}))
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _request_page(request, form)
    data = form.cleaned_data
    trusted = bool(trusted_device(request, data["identifier"]))
    if actions.over_limit(data["identifier"], client_ip(request), trusted=trusted):
        return render(request, "recovery/too_many.html", status=429)
    actions.request_code(request, data["identifier"], data["channel"], data["contact"])
    return _sent_page(request, data["identifier"], link_sent=data["channel"] == ResetCode.EMAIL)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Where a code is typed: after a request, or with a code the support desk printed."""
    if request.method == "GET":
        form = CodeForm(initial={"identifier": request.GET.get("identifier", "")})
        return render(request, "recovery/sent.html", {"form": form, "ask_identifier": True})
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _sent_page(request, request.POST.get("identifier", ""), form)
    try:
        granted = actions.check_code(request, form.cleaned_data["identifier"], form.cleaned_data["code"])
    except actions.CodeLimited:
        return render(request, "recovery/code_limited.html", status=429)
    if granted:
        return redirect("recovery-new-password")
    fresh = CodeForm(initial={"identifier": form.cleaned_data["identifier"]})
    return _sent_page(request, "", fresh, error="wrong")


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link changes nothing (mail scanners open links); the button does."""
    if request.method == "POST":
        if actions.check_link(request, token):
            return redirect("recovery-new-password")
        return render(request, "recovery/link.html", {"expired": True}, status=410)
    return render(request, "recovery/link.html", {"expired": False})


@never_cache
@sensitive_post_parameters("password", "confirmation")
@require_http_methods(["GET", "POST"])
def new_password(request: HttpRequest) -> HttpResponse:
    account = actions.granted_account(request)
    if account is None:
        return render(request, "recovery/link.html", {"expired": True}, status=410)
    form = NewPasswordForm(account, request.POST if request.method == "POST" else None)
    if form.is_valid():
        actions.set_new_password(request, account, form.cleaned_data["password"])
        return render(request, "recovery/done.html", {"account": account})
    # Never sent back: the fields are always empty again.
    return render(request, "recovery/new_password.html", {"form": NewPasswordForm(account), "errors": form.errors})


@require_POST
def strength(request: HttpRequest) -> JsonResponse:
    """The meter's server half: the same rules as the form, so the two never disagree.
    Only for someone about to choose a password (a reset grant or a signed-in person):
    each call costs milliseconds of CPU, so it is not open to the whole world."""
    account = actions.granted_account(request) or (request.user if isinstance(request.user, Account) else None)
    if account is None:
        return JsonResponse({"ok": False, "score": 0, "problems": []}, status=403)
    return JsonResponse(policy.describe(request.POST.get("password", "")[:1024], actions.user_inputs(account)))


@login_required
@require_http_methods(["GET", "POST"])
@require_fresh_password(when=lambda request: request.method == "POST" and request.POST.get("action") != "reconfirm")
def contacts(request: HttpRequest) -> HttpResponse:
    """« Mes contacts de secours »: see, change and reconfirm the recovery channels."""
    account = _signed_in(request)
    form = ChannelForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "reconfirm":
            channels.reconfirm(request, account)
            return redirect("contacts")
        if form.is_valid():
            if channels.start_change(request, account, form.cleaned_data["channel"], form.cleaned_data["value"]):
                return redirect("contacts-confirm")
            form.add_error(
                None,
                _("Trop de SMS ont été envoyés récemment à ce numéro ou pour votre compte. Réessayez dans une heure."),
            )
    return render(
        request,
        "recovery/contacts.html",
        {
            "account": account,
            "form": form,
            "reconfirm": account.needs_channel_reconfirmation(),
            "now": timezone.now(),
        },
    )


@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def contacts_confirm(request: HttpRequest) -> HttpResponse:
    account = _signed_in(request)
    change = channels.pending(account)
    if change is None:
        return redirect("contacts")
    form = ChannelCodeForm(request.POST or None)
    error = False
    if request.method == "POST" and form.is_valid():
        if channels.confirm_change(request, account, form.cleaned_data["code"]):
            return redirect("contacts")
        error = True
    return render(request, "recovery/contacts_confirm.html", {"change": change, "form": form, "error": error})
