"""Every error page keeps the site's frame: header, official address, language switch,
support links, and a way forward in the person's language."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

from guichet import urls as project_urls
from testing.outages import no_database


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


def _boom(request):
    raise RuntimeError("internals")


urlpatterns = [
    *project_urls.urlpatterns,
    *i18n_patterns(
        path("test/403/", _forbidden),
        path("test/400/", _bad),
        path("test/500/", _boom),
        prefix_default_language=False,
    ),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls("guichet.tests.test_error_pages")]

FRAME = [
    '<header class="top">',
    'class="address"',
    'class="lang"',
    'class="support-help"',
    "https://www.univ-poitiers.fr/",
]


def _pages(language: str):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    csrf = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    prefix = "/en" if language == "en" else ""
    return {
        400: client.get(f"{prefix}/test/400/"),
        403: client.get(f"{prefix}/test/403/"),
        404: client.get(f"{prefix}/nulle-part/"),
        500: client.get(f"{prefix}/test/500/"),
        "csrf": csrf.post(f"{prefix}/login/", {"identifier": "x"}),
    }


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_error_page_keeps_the_header_the_switch_and_support(poitiers, language):
    for kind, response in _pages(language).items():
        html = response.content.decode()
        assert response.status_code == (403 if kind == "csrf" else kind)
        for piece in FRAME:
            assert piece in html, (kind, piece)
        assert f'<html lang="{language}">' in html, kind
        home = 'href="/en/"' if language == "en" else 'href="/"'
        assert home in html, kind  # the way home is in the page's language


def test_english_error_pages_are_english(poitiers):
    from testing.pages import french_words

    for kind, response in _pages("en").items():
        assert french_words(response.content.decode()) == [], kind


def test_an_expired_form_offers_the_same_step_again(poitiers):
    response = Client(enforce_csrf_checks=True).post("/password/reset/", {"identifier": "x"})
    html = response.content.decode()
    assert 'class="button" href="/password/reset/">Réessayer</a>' in html
    assert "Retour à l&#x27;accueil" in html or "Retour à l'accueil" in html


def test_the_crash_page_works_without_a_database(poitiers):
    from django.db import connection

    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(no_database):
        response = client.get("/test/500/")
    assert response.status_code == 500 and '<header class="top">' in response.content.decode()
