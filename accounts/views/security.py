"""« Mes connexions » and « Sécurité du compte »: sessions, attempts and second factors."""

from base64 import b32encode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user

from audit.labels import label
from audit.models import Event

from ..actions import factors, sessions
from ..decorators import require_fresh_password
from ..forms import CodeForm
from ..models import RecoveryCodeDevice, TOTPDevice
from . import passkeys
from .request import SignedInRequest


@login_required
def connections(request: SignedInRequest) -> HttpResponse:
    account = request.user
    attempts = Event.objects.filter(subject=account, code__startswith="accounts.signin.")[:20]
    return render(
        request,
        "accounts/connections.html",
        {
            "sessions": sessions.active(account),
            "current_sid": request.session.get(sessions.SID),
            "attempts": [{"at": e.at, "ip": e.ip, "label": label(e.code)} for e in attempts],
        },
    )


@login_required
@require_POST
def revoke_session(request: SignedInRequest, pk: int) -> HttpResponse:
    sessions.revoke(request, request.user, pk)
    return redirect("connections")


@login_required
@require_POST
def revoke_all_sessions(request: SignedInRequest) -> HttpResponse:
    sessions.revoke_all(request, request.user)
    return redirect("login")


@login_required
def security(request: SignedInRequest) -> HttpResponse:
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
@require_fresh_password
def totp(request: SignedInRequest) -> HttpResponse:
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
@require_fresh_password
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    codes = factors.new_recovery_codes(request, request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
@require_fresh_password
def remove_device(request: SignedInRequest) -> HttpResponse:
    wanted = request.POST.get("device", "")
    device = next((d for d in devices_for_user(request.user, confirmed=None) if d.persistent_id == wanted), None)
    if device is None:
        raise Http404
    factors.remove_factor(request, request.user, device)
    return redirect("security")
