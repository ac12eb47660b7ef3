"""A database or Redis outage answers a page in the person's language with 503, never a 500.

Django turns an exception raised anywhere in the middleware chain (the session loaded from
Redis, the account read from PostgreSQL) into a call of the 500 handler, with the exception
still being handled; `guichet.errors.server_error` asks `outage_page` first. The page is
rendered `plain` (no session, no account: they may be what is down). Once the database or
Redis is back, nothing needs restarting: Django checks a kept connection before reusing it
(CONN_HEALTH_CHECKS) and redis-py reconnects on the next command.
"""

import copy
import logging
import sys

import redis.exceptions
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation

logger = logging.getLogger(__name__)

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# Seconds a browser or a client library is told to wait before asking again.
RETRY_AFTER = 30


def is_outage(error: BaseException | None) -> bool:
    """True when `error`, or an exception it was raised from, is a lost database or Redis."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def outage_page(request: HttpRequest) -> HttpResponse | None:
    """The 503 page when the exception being handled is an outage; None otherwise."""
    error = sys.exc_info()[1]
    if not is_outage(error):
        return None
    logger.warning("%s answered 503: %s", request.path, type(error).__name__)
    # The language the person asked for (URL prefix, cookie, Accept-Language), not the session's.
    # The page is drawn for a stand-in of the request whose session is an empty one in memory
    # and whose visitor is anonymous: the real ones live in what is down.
    stand_in = copy.copy(request)
    stand_in.session = SessionBase()
    context = {"plain": True, "user": AnonymousUser()}
    # The header, footer and banners read through the cache: with Redis down, straight from
    # the database for this one page (a DummyCache misses every time; per thread, put back).
    shared = caches[DEFAULT_CACHE_ALIAS]
    caches[DEFAULT_CACHE_ALIAS] = DummyCache("outage", {})
    try:
        with translation.override(translation.get_language_from_request(request, check_path=True)):
            html = loader.render_to_string("ops/unavailable.html", context, request=stand_in)
    finally:
        caches[DEFAULT_CACHE_ALIAS] = shared
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
