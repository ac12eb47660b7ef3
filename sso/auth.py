"""One sign-in behind every protocol: the protocol views ask here, never check passwords."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.actions.sessions import LOGIN_AT
from accounts.models import Account

RENEW_ASKED_AT = "sso.renew_asked_at"
# Authentication context classes (REFEDS): a second factor, or the password alone.
MFA = "https://refeds.org/profile/mfa"
SFA = "https://refeds.org/profile/sfa"


def amr(request: HttpRequest) -> list[str]:
    """RFC 8176 methods of this session's sign-in: the password, then the second factor's kind
    (django-otp keeps the device that verified it: a passkey is hardware, the rest one-time codes)."""
    device = request.session.get(DEVICE_ID_SESSION_KEY, "") if request.user.is_authenticated else ""
    if not device:
        return ["pwd"]
    return ["pwd", "hwk"] if "webauthn" in device.lower() else ["pwd", "otp"]


def acr(methods: list[str]) -> str:
    return MFA if len(methods) > 1 else SFA


def signed_in(request: HttpRequest, *, renew: bool = False) -> Account | None:
    """The signed-in account, or None when the person must (re-)enter their password.

    `renew` (CAS renew, OIDC prompt=login, SAML ForceAuthn): only a sign-in completed after
    this request asked for one counts; the first call records the ask and returns None.
    """
    user = request.user if isinstance(request.user, Account) and request.user.is_authenticated else None
    if not renew:
        return user
    asked = request.session.get(RENEW_ASKED_AT)
    if user is not None and asked is not None and request.session.get(LOGIN_AT, 0) > asked:
        request.session.pop(RENEW_ASKED_AT, None)
        return user
    # Recorded for the anonymous too: the sign-in about to happen is the fresh one.
    request.session[RENEW_ASKED_AT] = timezone.now().timestamp()
    return None


def to_login(request: HttpRequest, *, renew: bool = False, next_url: str | None = None) -> HttpResponseRedirect:
    params = {"next": next_url or request.get_full_path()}
    if renew:
        params["renew"] = "1"
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode(params)}")


def account(request: HttpRequest) -> Account:
    """The signed-in account of a view behind login_required (never the anonymous)."""
    user = request.user
    if not isinstance(user, Account) or not user.is_authenticated:
        raise PermissionDenied
    return user
