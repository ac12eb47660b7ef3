"""Shared anonymous pages served from the worker's memory for a second, before Django.

orientation/cache.py already keeps the pages that are the same bytes for every anonymous
visitor (home, the profile pages…), but a hit still crossed Django's nineteen middleware:
about 0.75 ms of CPU, which held the home page to 2 % of what nginx serves from a file on the
same cores (issue 15: target 5 %). Here, in front of Django, a hit costs a dictionary lookup.

Only what Django itself marked shared is kept (the `marker` header, orientation/cache.py's,
set with the page cache's X-Accel-Expires), only with status 200 and no Set-Cookie, and only for `seconds` (1 s by
default: the same delay as GUICHET_REVISION_TTL, after which a set-up change shows anyway).
A request is served from here only when nothing in it could change the page: a GET without a
query string, no cookie but the language, CSRF and device cookies (the language one is part
of the key, with the host, scheme, path and Accept-Language), and not a language switch: a
Referer from this site in the other language (a page under another language prefix), which
guichet/language.py may answer with a cookie that remembers the switch. deploy/nginx.conf
bypasses its own cache for the same requests.

Each copy served gets its own X-Request-ID (nginx's, as django-structlog would echo it) and
is counted in the request metrics under the view that made it.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.http.cookie import parse_cookie

MAX_ENTRIES = 512
IGNORED_COOKIES = frozenset({"csrftoken", "guichet_device"})

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Headers = list[tuple[str, str]]


class MicroCache:
    def __init__(
        self,
        app: WSGIApp,
        seconds: float,
        language_cookie: str,
        marker: str,
        prefixes: tuple[str, ...],
        clock: Callable[[], float] = time.monotonic,
        count: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.language_cookie = language_cookie
        self.marker = marker  # its value: the view's name, for the metrics
        self.prefixes = prefixes  # the URL prefixes of the languages but the default one
        self.clock = clock
        self.count = count or (lambda view: None)
        # key -> (expires, status, headers but the marker and the request id, body, view)
        self.entries: dict[tuple[str, ...], tuple[float, str, Headers, bytes, str]] = {}
        self.lock = threading.Lock()

    def key(self, environ: dict[str, Any]) -> tuple[str, ...] | None:
        if self.seconds <= 0 or environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST", "")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if referer := environ.get("HTTP_REFERER"):
            came_from = urlsplit(referer)
            if came_from.netloc == host and self.language_of(came_from.path) != self.language_of(path):
                return None
        language = ""
        if raw := environ.get("HTTP_COOKIE"):
            # Read as Django reads them: a cookie Django would see is never missed here.
            for name, value in parse_cookie(raw).items():
                if name == self.language_cookie:
                    language = value
                elif name not in IGNORED_COOKIES:
                    return None
        scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
        return (scheme, host, path, environ.get("HTTP_ACCEPT_LANGUAGE", ""), language)

    def language_of(self, path: str) -> str:
        """The prefix of the language `path` is in ("" for the default language)."""
        return next((prefix for prefix in self.prefixes if path.startswith(prefix)), "")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self.key(environ)
        if key is not None:
            held = self.entries.get(key)
            if held is not None and self.clock() < held[0]:
                _expires, status, headers, body, view = held
                self.count(view)
                request_id = environ.get("HTTP_X_REQUEST_ID") or str(uuid.uuid4())
                start_response(status, [*headers, ("X-Request-ID", request_id)])
                return [body]
        seen: dict[str, Any] = {}

        def start(status: str, headers: Headers, exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, [h for h in headers if h[0] != self.marker], exc_info)

        result = self.app(environ, start)
        headers = seen.get("headers") or []
        if key is None or not seen.get("status", "").startswith("200 ") or not self.shared(headers):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()  # a flood of distinct Accept-Language values: start again
            marker = self.marker.lower()
            view = next(value for name, value in headers if name.lower() == marker)
            kept = [(name, value) for name, value in headers if name.lower() not in (marker, "x-request-id")]
            self.entries[key] = (self.clock() + self.seconds, seen["status"], kept, body, view)
        return [body]

    def shared(self, headers: Headers) -> bool:
        names = {name.lower() for name, _value in headers}
        return self.marker.lower() in names and "set-cookie" not in names


def count_in_request_metrics(view: str) -> None:
    """What django-prometheus's middleware would have counted for this page."""
    from django_prometheus.middleware import Metrics

    metrics = Metrics.get_instance()
    metrics.requests_by_view_transport_method.labels(view=view, transport="http", method="GET").inc()
    metrics.responses_by_status_view_method.labels(status="200", view=view, method="GET").inc()
