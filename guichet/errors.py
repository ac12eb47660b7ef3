"""Error pages in the person's language, never a stack trace, inside the site's frame.

Every error page keeps the header (whose portal, the official address, the language
switch), the banners and the support links, and offers a way forward: the same step again
where there is one, the home page otherwise. The 500 page is rendered with `plain`, which
keeps it off the session and the account (the error may be the database itself); the
portal's identity falls back to the settings' name when the database cannot be read.
"""

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from guichet.language import unprefixed
from ops.outage import outage_page


def _page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context, request=request), status=status)


def _retry_url(request: HttpRequest) -> str:
    """The step that failed, to open again with a fresh form (a GET of the same page)."""
    path = request.path
    if request.method == "GET" or unprefixed(path):
        referer = request.META.get("HTTP_REFERER", "")
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
            return str(referer)
    return path if not unprefixed(path) else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/400.html", 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/403.html", 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # A lost database or Redis is an outage, not a crash: 503 with its own page (ops/outage.py).
    outage = outage_page(request)
    if outage is not None:
        return outage
    return _page(request, "errors/500.html", 500, plain=True, retry_url=request.get_full_path())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, "errors/csrf.html", 403, retry_url=_retry_url(request))
