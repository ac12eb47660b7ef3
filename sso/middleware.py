"""Front-channel logout (OpenID Connect Front-Channel Logout 1.0, SAML HTTP-Redirect, WS-Fed
wsignoutcleanup1.0): when a request ended a Guichet session, the page that answers it loads
each such relying party's logout URL in a hidden iframe, then moves on where the answer was
going (by itself once the frames have loaded, with a button without JavaScript)."""

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from . import csp, frontchannel


class FrontChannelLogout:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if frontchannel.posts(request):
            response = self._chained(request, response)
        frames = frontchannel.frames(request)
        if not frames:
            return response
        if response.status_code in (301, 302, 303) and response.get("Location"):
            target = urlsplit(response["Location"])
            context = {
                "frames": frames,
                # A GET form drops the action's query: its parameters travel as fields.
                "action": urlunsplit((target.scheme, target.netloc, target.path, "", "")),
                "fields": parse_qsl(target.query, keep_blank_values=True),
            }
            page = render(request, "sso/frontchannel_logout.html", context)
            page["Cache-Control"] = "no-store"
            csp.allow(page, "frame-src", frames)
            csp.allow_form_action(page, response["Location"])
            return page
        if response.get("Content-Type", "").startswith("text/html") and b"</main>" in response.content:
            snippet = render_to_string("sso/_frontchannel_frames.html", {"frames": frames}, request=request)
            response.content = response.content.replace(b"</main>", snippet.encode() + b"</main>", 1)
            csp.allow(response, "frame-src", frames)
        return response

    @staticmethod
    def _chained(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """SAML SPs reached by HTTP-POST only: the browser goes through each (a posted
        LogoutRequest, the SP's LogoutResponse back), then where this answer was going."""
        from .protocols.saml.logout import chain_url  # the one protocol whose front channel posts

        if response.status_code in (301, 302, 303) and response.get("Location"):
            response["Location"] = chain_url(frontchannel.posts(request), response["Location"])
            return response
        # A page (not a redirect): shown again once the chain is done, or the home page.
        done = request.get_full_path() if request.method == "GET" else reverse("home")
        return HttpResponseRedirect(chain_url(frontchannel.posts(request), done))
