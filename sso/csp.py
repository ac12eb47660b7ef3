"""The one place sso widens a page's Content-Security-Policy (django-csp's `_csp_update`).

A page whose form posts to a relying party (a SAML Response, a WS-Fed token, the consent
answer, « Mauvais portail »'s way back) must allow that origin in `form-action`; a logout
page loading relying parties in iframes must allow them in `frame-src`. Nothing else is
ever widened, and only for the page that needs it.
"""

from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import urlsplit

from django.http import HttpResponseBase

Response = TypeVar("Response", bound=HttpResponseBase)


def origin(url: str) -> str:
    """`scheme://host[:port]` of an absolute URL, "" for a relative one."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def allow(response: Response, directive: str, urls: Iterable[str]) -> Response:
    origins = sorted({o for o in map(origin, urls) if o})
    if origins:
        update: dict[str, list[str]] = dict(getattr(response, "_csp_update", None) or {})
        update[directive] = [*update.get(directive, []), *(o for o in origins if o not in update.get(directive, []))]
        response._csp_update = update  # type: ignore[attr-defined]  # django-csp reads this attribute
    return response


def allow_form_action(response: Response, *urls: str) -> Response:
    """This page's form may post to these URLs' origins."""
    return allow(response, "form-action", urls)
