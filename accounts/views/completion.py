"""The end of every sign-in, whatever proved the second factor (a code page or a passkey).

Both the code pages (views/signin.py) and the passkey API (views/passkeys.py) call
`signed_in`: it lives apart so neither imports the other.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from .. import destinations
from ..actions import signin
from ..models import Account

# How long a browser keeps the cookie that makes it a known device (accounts/throttle.py).
DEVICE_COOKIE_AGE = 400 * 24 * 3600


def _view_name(path: str) -> str | None:
    try:
        return resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return None


def safe_next(candidate: str) -> str:
    """`next` if it is one of our own pages registered for after sign-in, else « Mes services »."""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None) and candidate.startswith("/"):
        view_name = _view_name(candidate)
        if view_name is not None and destinations.is_post_login_route(view_name):
            return candidate
    return destinations.url(destinations.SERVICES)


def _leaves_guichet(next_url: str) -> bool:
    view_name = _view_name(next_url)
    return view_name is not None and destinations.leaves_guichet(view_name)


def signed_in(request: HttpRequest, account: Account, device: object, next_url: str) -> HttpResponse:
    """Open the session and go on to `next_url` (already checked by `safe_next`)."""
    cookie = signin.complete(request, account, device)
    # The sign-in form may only post to Guichet (CSP form-action), and browsers apply that to
    # every redirect that follows the POST: a single sign-on end point that sends the person
    # on to a platform would be blocked. For those, a page that moves on by itself starts a
    # fresh navigation instead (a meta refresh, so it works without JavaScript too).
    response: HttpResponse
    if _leaves_guichet(next_url):
        response = render(request, "accounts/continue.html", {"next_url": next_url})
    else:
        response = redirect(next_url)
    if cookie:
        response.set_signed_cookie(
            signin.DEVICE_COOKIE,
            cookie,
            salt=signin.DEVICE_COOKIE,
            max_age=DEVICE_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
