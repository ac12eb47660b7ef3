"""Language for URLs that carry none, and the person's choice kept in a cookie.

People's pages have one language per URL (French at the root, English under /en/). The
URLs relying parties and scripts call (/cas/, /saml/, /oidc/, /o/, …) are the same in
every language: there the person's choice (the language cookie, set by the header's
switch) wins, then the browser's Accept-Language, then French. Django's LocaleMiddleware
would give them French always, since an unprefixed path means the default language.

The choice is remembered when a person goes from a page in one language to the same site
in the other (the header's switch, or any link across): the page's language becomes the
cookie. Landing on a page from elsewhere sets nothing, so a French home page seen once
does not override an English browser.
"""

from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Kept in step with the unprefixed patterns of guichet/urls.py.
UNPREFIXED = ("/cas/", "/saml/", "/oidc/", "/o/", "/.well-known/", "/webauthn/", "/api/")


def unprefixed(path: str) -> bool:
    return path.startswith(UNPREFIXED)


class NegotiatedLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not unprefixed(request.path_info):
            return super().process_request(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not unprefixed(request.path_info):
            _remember_switch(request, response)
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# The values set_cookie accepts, as the checker knows them (the setting is any string to it).
_SAME_SITE: dict[str, Literal["Lax", "Strict", "None"]] = {"lax": "Lax", "strict": "Strict", "none": "None"}


def _remember_switch(request: HttpRequest, response: HttpResponseBase) -> None:
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    try:
        same_site = referer.netloc == request.get_host()
    except DisallowedHost:
        return
    if not same_site or unprefixed(referer.path):
        return
    came_from = translation.get_language_from_path(referer.path) or settings.LANGUAGE_CODE
    if came_from == language or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) == language:
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=_SAME_SITE.get(str(settings.LANGUAGE_COOKIE_SAMESITE).lower(), "Lax"),
    )
