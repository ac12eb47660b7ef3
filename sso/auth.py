"""One sign-in behind every protocol: the protocol views ask here, never check passwords."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.actions.sessions import LOGIN_AT

RENEW_ASKED_AT = "sso.renew_asked_at"


def signed_in(request, *, renew: bool = False):
    """The signed-in account, or None when the person must (re-)enter their password.

    `renew` (CAS renew, OIDC prompt=login, SAML ForceAuthn): only a sign-in completed after
    this request asked for one counts; the first call records the ask and returns None.
    """
    if not renew:
        return request.user if request.user.is_authenticated else None
    asked = request.session.get(RENEW_ASKED_AT)
    if request.user.is_authenticated and asked is not None and request.session.get(LOGIN_AT, 0) > asked:
        request.session.pop(RENEW_ASKED_AT, None)
        return request.user
    # Recorded for the anonymous too: the sign-in about to happen is the fresh one.
    request.session[RENEW_ASKED_AT] = timezone.now().timestamp()
    return None


def to_login(request, *, renew: bool = False, next_url: str | None = None):
    params = {"next": next_url or request.get_full_path()}
    if renew:
        params["renew"] = "1"
    return redirect(f"{reverse('login')}?{urlencode(params)}")
