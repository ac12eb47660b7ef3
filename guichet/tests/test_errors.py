"""Error pages: in the person's language, never a stack trace."""

import pytest
from django.test import Client
from django.urls import path

from guichet import urls as project_urls


def _boom(request):
    raise RuntimeError("secret internals: /etc/passwd")


urlpatterns = [*project_urls.urlpatterns, path("boom/", _boom)]
handler500 = project_urls.handler500
handler404 = project_urls.handler404


@pytest.mark.urls("guichet.tests.test_errors")
def test_a_crash_shows_a_plain_page_without_a_trace(db):
    response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Le service a rencontré une erreur" in html
    assert "Traceback" not in html and "secret internals" not in html and "RuntimeError" not in html


@pytest.mark.urls("guichet.tests.test_errors")
def test_an_unknown_address_is_a_french_404(db):
    response = Client().get("/nulle-part/")
    assert response.status_code == 404 and "Page introuvable" in response.content.decode()


def test_a_csrf_failure_explains_what_to_do(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.content.decode()
