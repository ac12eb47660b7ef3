"""Error pages in the person's language, never a stack trace.

The 500 page renders a template with no context and no database access, since the
error may be the database itself.
"""

from django.http import HttpResponse
from django.template import loader


def _page(template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template), status=status)


def bad_request(request, exception=None):
    return _page("errors/400.html", 400)


def forbidden(request, exception=None):
    return _page("errors/403.html", 403)


def not_found(request, exception=None):
    return _page("errors/404.html", 404)


def server_error(request):
    return _page("errors/500.html", 500)


def csrf_failure(request, reason=""):
    return _page("errors/csrf.html", 403)
