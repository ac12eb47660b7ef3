"""A protocol whose key or program is missing answers a page in the person's language (503),
never a bare 500. The start-up checks should have stopped Guichet before; this is for the
deployment that started anyway, or lost a file while running."""

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from saml2.sigver import SigverError

from . import keys

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _oidc_problem(pem: str, path: Path | None) -> str | None:
    # For the log, whose lines are English whatever the page's language (and this is cached).
    with translation.override("en"):
        return keys.oidc_problem(pem, path)


def unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    logger.error("%s unavailable: %s", request.path, reason)
    response = render(request, "sso/unavailable.html", {}, status=503)
    response["Retry-After"] = "300"
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match and (match.namespace == "oauth2_provider" or match.url_name == "oidc-authorize"):
            pem = settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY", "")
            problem = _oidc_problem(pem, settings.GUICHET_OIDC_KEY_FILE)
            if problem:
                return unavailable(request, f"OIDC signing key: {problem}")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ImproperlyConfigured | SigverError):
            return unavailable(request, f"{type(exception).__name__}: {exception}")
        return None
