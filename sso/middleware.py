"""Front-channel logout (OpenID Connect Front-Channel Logout 1.0): when a request ended a
Guichet session, the page that answers it loads each such client's logout URI in a hidden
iframe, then moves on where the answer was going (by itself once the frames have loaded,
with a button without JavaScript)."""

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.shortcuts import render
from django.template.loader import render_to_string


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class FrontChannelLogout:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        frames = getattr(request, "sso_frontchannel", None)
        if not frames:
            return response
        origins = sorted({_origin(url) for url in frames})
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
            form_action = [_origin(response["Location"])] if target.netloc else []
            page._csp_update = {"frame-src": origins, **({"form-action": form_action} if form_action else {})}
            return page
        if response.get("Content-Type", "").startswith("text/html") and b"</main>" in response.content:
            snippet = render_to_string("sso/_frontchannel_frames.html", {"frames": frames}, request=request)
            response.content = response.content.replace(b"</main>", snippet.encode() + b"</main>", 1)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["frame-src"] = [*update.get("frame-src", []), *origins]
            response._csp_update = update
        return response
