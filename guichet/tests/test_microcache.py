"""Shared anonymous pages from the worker's memory (guichet/microcache.py): served again
only when nothing in the request could change them, never past their second, never with
anything personal, and each copy with its own request id."""

import io
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started

from guichet.microcache import MicroCache
from orientation.cache import SHARED_HEADER

PREFIXES = ("/en/",)  # English under /en/, French at the root, as guichet/wsgi.py derives them


class Page:
    """A stand-in for Django: counts its calls, answers what the test says."""

    def __init__(self, status: str = "200 OK", shared: bool = True, cookie: bool = False) -> None:
        self.calls = 0
        self.status, self.shared, self.cookie = status, shared, cookie

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.calls += 1
        headers = [("Content-Type", "text/html"), ("X-Request-ID", f"django-{self.calls}")]
        headers += [(SHARED_HEADER, "home")] if self.shared else []
        headers += [("Set-Cookie", "csrftoken=x")] if self.cookie else []
        start_response(self.status, headers)
        return [f"page {self.calls}".encode()]


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def environ(path: str = "/", **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_HOST": "guichet.example",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        **extra,
    }


def get(app: MicroCache, **extra: str) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ(**extra), start_response))
    return seen["status"], seen["headers"], body


def cached(page: Page, clock: Clock | None = None, counted: list[str] | None = None) -> MicroCache:
    count = counted.append if counted is not None else None
    return MicroCache(page, 1.0, "django_language", SHARED_HEADER, PREFIXES, clock=clock or Clock(), count=count)


def test_a_shared_page_is_served_from_memory_within_its_second_then_asked_again():
    page, clock, counted = Page(), Clock(), []
    app = cached(page, clock, counted)
    assert get(app)[2] == b"page 1"
    clock.now += 0.9
    assert get(app)[2] == b"page 1" and page.calls == 1 and counted == ["home"]
    clock.now += 0.2
    assert get(app)[2] == b"page 2" and page.calls == 2


def test_the_marker_never_leaves_and_each_copy_has_its_own_request_id():
    app = cached(Page())
    first = get(app, HTTP_X_REQUEST_ID="from-nginx-1")[1]
    second = get(app, HTTP_X_REQUEST_ID="from-nginx-2")[1]
    third = get(app)[1]
    assert SHARED_HEADER not in first and SHARED_HEADER not in second and SHARED_HEADER not in third
    assert second["X-Request-ID"] == "from-nginx-2"
    assert third["X-Request-ID"] not in ("from-nginx-2", "django-1") and len(third["X-Request-ID"]) == 36


@pytest.mark.parametrize(
    "page",
    [Page(shared=False), Page(cookie=True), Page(status="404 Not Found"), Page(status="503 Service Unavailable")],
    ids=["not marked shared", "sets a cookie", "not found", "unavailable"],
)
def test_only_a_shared_200_without_cookies_is_kept(page):
    app = cached(page)
    get(app)
    get(app)
    assert page.calls == 2
    assert SHARED_HEADER not in get(app)[1]


@pytest.mark.parametrize(
    "extra",
    [
        {"QUERY_STRING": "next=/services/"},
        {"REQUEST_METHOD": "POST"},
        {"REQUEST_METHOD": "HEAD"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"HTTP_COOKIE": "not a cookie;;; =="},
        # A language switch (from this site's other language) may set a cookie.
        {"HTTP_REFERER": "https://guichet.example/en/"},
        {"HTTP_REFERER": "https://guichet.example/aide/", "PATH_INFO": "/en/"},
    ],
    ids=["query", "post", "head", "session", "message", "broken cookie", "switch to French", "switch to English"],
)
def test_a_request_that_could_change_the_page_is_never_served_from_memory(extra):
    page = Page()
    app = cached(page)
    get(app)
    seen = get(app, **extra)
    assert page.calls == 2 and seen[2] == b"page 2"


def test_harmless_cookies_and_foreign_referers_are_served_from_memory():
    page = Page()
    app = cached(page)
    get(app)
    get(app, HTTP_COOKIE="csrftoken=abc; guichet_device=xyz", HTTP_REFERER="https://www.google.com/")
    assert page.calls == 1


@pytest.mark.parametrize(
    ("came_from", "path"),
    [("https://guichet.example/aide/", "/"), ("https://guichet.example/en/help/", "/en/")],
    ids=["French to French", "English to English"],
)
def test_a_link_within_one_language_is_served_from_memory(came_from, path):
    page = Page()
    app = cached(page)
    get(app, PATH_INFO=path)
    assert get(app, PATH_INFO=path, HTTP_REFERER=came_from)[2] == b"page 1" and page.calls == 1


def test_language_host_and_path_are_parts_of_the_key():
    page = Page()
    app = cached(page)
    variants = [
        {},
        {"HTTP_ACCEPT_LANGUAGE": "en"},
        {"HTTP_COOKIE": "django_language=en"},
        {"HTTP_HOST": "other.example"},
        {"PATH_INFO": "/en/"},
    ]
    for extra in variants:
        get(app, **extra)
    assert page.calls == len(variants)
    for extra in variants:
        get(app, **extra)
    assert page.calls == len(variants)


def test_a_flood_of_distinct_keys_does_not_grow_memory_without_bound():
    app = cached(Page())
    for n in range(2000):
        get(app, HTTP_ACCEPT_LANGUAGE=f"x-{n}")
    assert len(app.entries) <= 512


def test_switched_off_it_keeps_nothing_and_still_strips_the_marker():
    page = Page()
    app = MicroCache(page, 0, "django_language", SHARED_HEADER, PREFIXES)
    get(app)
    assert SHARED_HEADER not in get(app)[1] and page.calls == 2


@pytest.mark.django_db(transaction=True)
def test_the_real_home_page_is_kept_and_the_sign_in_page_is_not(poitiers):
    # Django itself behind the cache: a copy served from memory never reaches it.
    app = MicroCache(WSGIHandler(), 1.0, "django_language", SHARED_HEADER, PREFIXES, clock=Clock())
    started: list[object] = []

    def count(**kwargs: object) -> None:
        started.append(kwargs)

    request_started.connect(count)
    try:
        first = get(app, HTTP_HOST="testserver", SERVER_NAME="testserver", SERVER_PORT="80")
        second = get(app, HTTP_HOST="testserver", SERVER_NAME="testserver", SERVER_PORT="80")
        assert first[0] == second[0] == "200 OK" and first[2] == second[2] and len(started) == 1
        assert "Content-Security-Policy" in second[1] and SHARED_HEADER not in first[1]
        for _ in range(2):
            login = get(app, PATH_INFO="/login/", HTTP_HOST="testserver", SERVER_NAME="testserver", SERVER_PORT="80")
            assert login[0] == "200 OK" and "csrftoken" in login[1].get("Set-Cookie", "")
        assert len(started) == 3  # the sign-in page carries a token of its own: never kept here
    finally:
        request_started.disconnect(count)


@pytest.mark.django_db(transaction=True)
def test_a_real_language_switch_reaches_django_and_is_remembered(poitiers, settings):
    app = MicroCache(WSGIHandler(), 1.0, settings.LANGUAGE_COOKIE_NAME, SHARED_HEADER, PREFIXES, clock=Clock())
    host = {"HTTP_HOST": "testserver", "SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    get(app, **host)
    switched = get(app, HTTP_REFERER="https://testserver/en/", **host)
    assert f"{settings.LANGUAGE_COOKIE_NAME}=fr;" in switched[1].get("Set-Cookie", "")
