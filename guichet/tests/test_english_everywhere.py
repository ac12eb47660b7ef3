"""No French reaches a page in English: /en/ pages, and pages a relying party opens in English."""

import pytest
from django.test import Client

from testing.pages import ANONYMOUS, SIGNED_IN, english, french_words
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _french(html: str) -> list[str]:
    return french_words(html)


@pytest.mark.parametrize(("name", "path"), ANONYMOUS, ids=[n for n, _ in ANONYMOUS])
def test_no_french_on_an_english_page(client, poitiers, name, path):
    response = client.get(english(path))
    assert response.status_code in (200, 404)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert _french(html) == []
    # The detector is not blind: the same page in French, announced as English, is caught.
    french = client.get(path).content.decode().replace('<html lang="fr">', '<html lang="en">')
    assert _french(french)


def test_no_french_on_english_pages_of_a_signed_in_person(client, student):
    client.post("/en/login/", {"identifier": student.identifier, "password": PASSWORD})
    for name, path in SIGNED_IN:
        html = client.get(english(path)).content.decode()
        assert _french(html) == [], name


def test_no_french_on_the_english_sign_in_steps_and_their_errors(client, student, bare_login):
    pages = [
        client.post("/en/login/", {"identifier": student.identifier}),  # password step
        client.post("/en/login/", {"identifier": student.identifier, "password": "wrong", "step": "password"}),
        client.post("/en/login/", {"identifier": student.identifier, "password": "", "step": "password"}),
        client.post("/en/login/", {"identifier": "jmartin", "password": PASSWORD}),  # choose institution
        client.post("/en/password/reset/", {"identifier": "", "channel": "pigeon"}),
    ]
    for response in pages:
        assert _french(response.content.decode()) == [], response.request["PATH_INFO"]


def test_a_relying_party_route_follows_the_browser_language(client, poitiers):
    response = client.get("/cas/login", {"service": "https://example.org/"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    html = client.get(
        "/oidc/authorize/", {"client_id": "nobody"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9", follow=True
    ).content.decode()
    assert '<html lang="en">' in html and _french(html) == []


def test_a_relying_party_route_follows_the_persons_choice_over_the_browser(poitiers):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    # The person switches to English with the header's link (a same-site visit across languages)...
    switched = client.get("/en/login/", HTTP_REFERER="http://testserver/login/")
    assert switched.cookies["django_language"].value == "en"
    # ...and a relying party later sends them to an unprefixed URL: English despite the browser.
    html = client.get("/oidc/authorize/", {"client_id": "nobody"}, follow=True).content.decode()
    assert '<html lang="en">' in html


def test_landing_on_a_french_page_from_elsewhere_does_not_pin_french(poitiers):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "django_language" not in client.get("/", HTTP_REFERER="https://search.example/").cookies
    assert "django_language" not in client.get("/").cookies


def test_the_detector_finds_french(poitiers):
    assert french_words("<p>Votre mot de passe</p>") == ["votre", "mot", "passe"]
    assert french_words('<p lang="fr">République française</p><p>Académie de Poitiers</p>') == []


def test_the_paused_and_too_many_pages_are_english_and_offer_a_way_forward(client, student):
    for attempt in range(6):
        response = client.post(
            "/en/login/", {"identifier": student.identifier, "password": f"wrong-{attempt}", "step": "password"}
        )
    html = response.content.decode()
    assert response.status_code == 429 and _french(html) == []
    assert 'href="/en/password/reset/"' in html and 'class="support-help"' in html
    # « Trop de demandes », as the reset view renders it when over its limit.
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    with translation.override("en"):
        request = RequestFactory().get("/en/password/reset/")
        request.user = student
        html = render_to_string("recovery/too_many.html", request=request)
    assert "Too many" in html and _french(html) == []
    assert 'href="/en/password/reset/"' in html and 'class="support-help"' in html
