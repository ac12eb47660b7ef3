"""The sign-in page's first step is rendered once and kept; each visit gets its own tokens
(accounts/page_slots.py). What must hold: the tokens are fresh and work, nothing personal
is ever kept or served to another, and a set-up change shows at once."""

import re

import pytest
from django.test import Client

from accounts.page_slots import CSRF_SLOT, PACE_SLOT
from institutions.models import Revision
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PACE = re.compile(r'name="pace" value="([^"]*)"')


def _tokens(html: str) -> tuple[str, str]:
    csrf, pace = CSRF.search(html), PACE.search(html)
    assert csrf and pace
    return csrf[1], pace[1]


def _without_tokens(html: str) -> str:
    return PACE.sub("", CSRF.sub("", html))


def test_the_second_visit_is_not_rendered_again_and_gets_tokens_of_its_own(poitiers):
    first, second = Client(), Client()
    one = first.get("/login/")
    two = second.get("/login/")
    assert one.status_code == two.status_code == 200
    assert one.templates and not two.templates  # the second came from the kept page
    html_one, html_two = one.content.decode(), two.content.decode()
    assert _tokens(html_one)[0] != _tokens(html_two)[0] and _tokens(html_one)[1] != _tokens(html_two)[1]
    assert _without_tokens(html_one) == _without_tokens(html_two)
    for html in (html_one, html_two):
        assert CSRF_SLOT not in html and PACE_SLOT not in html
    assert "csrftoken" in two.cookies  # the CSRF cookie is set as the template tag would


def test_a_kept_page_signs_in_with_its_own_csrf_token(poitiers, student):
    Client().get("/login/")  # fills the kept page
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/")
    assert not page.templates
    csrf, pace = _tokens(page.content.decode())
    form = {"csrfmiddlewaretoken": csrf, "pace": pace, "identifier": student.identifier, "password": PASSWORD}
    response = browser.post("/login/", form)
    assert response.status_code == 302 and response["Location"] == "/services/"


def test_another_browsers_csrf_token_is_refused(poitiers, student):
    theirs = _tokens(Client().get("/login/").content.decode())[0]
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    form = {"csrfmiddlewaretoken": theirs, "identifier": student.identifier, "password": PASSWORD}
    assert browser.post("/login/", form).status_code == 403


def test_a_query_string_a_session_or_a_message_gets_a_page_of_its_own(poitiers, student):
    Client().get("/login/")
    with_next = Client().get("/login/?next=/services/")
    assert with_next.templates and 'value="/services/"' in with_next.content.decode()
    typed = Client().get("/login/?identifier=etudiant@etu.univ-poitiers.fr").content.decode()
    assert 'value="etudiant@etu.univ-poitiers.fr"' in typed
    kept = Client().get("/login/").content.decode()
    assert "etudiant@" not in kept and 'value="/services/"' not in kept  # nothing of theirs kept
    signed_in = Client()
    signed_in.force_login(student)
    assert signed_in.get("/login/").status_code == 302  # already signed in: on to « Mes services »
    with_message = Client()
    with_message.cookies["messages"] = "anything"
    assert with_message.get("/login/").templates


def test_each_language_has_its_own_page(poitiers):
    Client().get("/login/")
    english = Client().get("/en/login/")
    assert english.templates and 'lang="en"' in english.content.decode()
    assert not Client().get("/en/login/").templates


def test_a_set_up_change_shows_at_once(poitiers):
    Client().get("/login/")
    assert not Client().get("/login/").templates
    Revision.bump()
    assert Client().get("/login/").templates


def test_the_pace_token_of_a_kept_page_belongs_to_its_visitor(poitiers):
    from accounts.actions import throttling

    Client().get("/login/", REMOTE_ADDR="192.0.2.1")
    page = Client().get("/login/", REMOTE_ADDR="192.0.2.7")
    pace = _tokens(page.content.decode())[1]
    assert throttling.pace_issued(pace, "192.0.2.8") is None  # not another address's
    assert throttling.pace_issued(pace, "192.0.2.7") is not None
