from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

from .actions import sessions


class SessionGuard:
    """Ends sessions that were revoked elsewhere, idle too long or older than the maximum;
    keeps every signed-in page out of every cache (the browser's back button, a proxy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        signed_in = request.user.is_authenticated
        if signed_in:
            reason = sessions.guard(request)
            if reason:
                sessions.end(request, reason)  # the request goes on as an anonymous one
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and "no-store" not in response.get("Cache-Control", ""):
            # Cache-Control: no-store (with no-cache, must-revalidate, private, max-age=0):
            # a shared computer's next user must not page back into someone's account.
            add_never_cache_headers(response)
        return response
