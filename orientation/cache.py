"""Whole-page caching for anonymous pages, the common case of a person in a hurry.

Only requests without a query string and without a session cookie are served from the
cache, so nothing personal or echoed is ever stored. The set-up revision is part of the
key: an edit in the admin or a reload of the set-up file shows at once in every worker.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from institutions.revision import current_revision

__all__ = ["SHARED_HEADER", "cached_page", "current_revision"]

# Marks a page as the same bytes for every anonymous visitor; its value is the view's name.
# guichet/microcache.py keeps such pages in the worker's memory and strips the header.
SHARED_HEADER = "X-Guichet-Shared"

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def cached_page(view: View[P]) -> View[P]:
    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        cacheable = (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        if not cacheable:
            return view(request, *args, **kwargs)
        key = f"page:{current_revision()}:{get_language()}:{request.path}"
        hit = cache.get(key)
        if hit is not None:
            return _shared(request, HttpResponse(hit, content_type="text/html; charset=utf-8"))
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            cache.set(key, response.content, settings.PAGE_CACHE_SECONDS)
            return _shared(request, response)
        return response

    return wrapper


def _shared(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # The same page for everyone: nginx in front may keep it a few seconds (deploy/nginx.conf
    # caches only what carries this header, never with a session cookie or a query string).
    if settings.GUICHET_PROXY_CACHE_SECONDS > 0:
        response["X-Accel-Expires"] = str(settings.GUICHET_PROXY_CACHE_SECONDS)
    # ... and so may the worker itself, before Django (guichet/microcache.py strips this header).
    match = request.resolver_match
    response[SHARED_HEADER] = (match.view_name if match else "") or "<unnamed view>"
    return response
