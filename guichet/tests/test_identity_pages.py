"""The header says whose portal this is and where to check; the sign-in page says who trusts it."""

import pytest
from django.test import Client

from institutions.models import Portal
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_header_names_the_portal_and_its_official_address(client, poitiers):
    portal = Portal.objects.get()
    portal.host = "guichet.univ-poitiers.fr"
    portal.save()
    html = client.get("/").content.decode()
    assert '<span class="brand-name">Guichet messagerie</span>' in html
    assert "Université, Académie et CHU de Poitiers" in html
    assert "Vous êtes sur <strong>https://guichet.univ-poitiers.fr</strong> — le cadenas doit" in html
    assert "<title>Accéder à votre messagerie — Guichet messagerie</title>" in html


def test_without_an_official_host_the_header_shows_the_address_asked(poitiers):
    html = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert "Vous êtes sur <strong>http://localhost</strong>" in html


def test_colours_and_logo_come_as_files_the_csp_allows(client, poitiers):
    html = client.get("/").content.decode()
    assert 'href="/identite.css?v=' in html and 'src="/identite/portail.svg?v=' in html
    css = client.get("/identite.css").content.decode()
    assert "--brand-light:#00358e" in css and "--brand-on-dark:#9bbcff" in css
    logo = client.get("/identite/portail.svg")
    assert logo["Content-Type"] == "image/svg+xml" and "sandbox" in logo["Content-Security-Policy"]
    assert client.get("/identite/univ-poitiers.svg").status_code == 404  # no logo shipped for it


def test_the_sign_in_page_says_which_institutions_trust_it_and_has_a_mini_faq(client, poitiers):
    html = client.get("/login/").content.decode()
    trusted = html[html.index('class="trusted"') : html.index("</ul>", html.index('class="trusted"'))]
    for name in ("Université de Poitiers", "Académie de Poitiers", "CHU de Poitiers"):
        assert name in trusted
    assert "Un problème pour vous connecter ?" in html
    assert "Comment savoir si la page de connexion est la vraie ?" in html
    assert "Se connecter" not in html  # step one says « Continuer »; no header link here
    # « Se connecter » once at the password step: the button, not the title nor the header.
    password_step = client.post("/login/", {"identifier": "x@ac-poitiers.fr"}).content.decode()
    assert password_step.count("Se connecter") == 1


def test_the_hint_follows_the_profile_chosen_and_the_identifier_typed(client, poitiers):
    hint = 'id="identifier-hint"'
    chosen = client.get("/login/?profil=hospitalier").content.decode()
    assert "prénom.nom@chu-poitiers.fr" in chosen[chosen.index(hint) :].split("</span>")[0]
    typed = client.post("/login/", {"identifier": "x@ac-poitiers.fr"}).content.decode()
    assert "Académie de Poitiers — Convergence" in typed[typed.index(hint) :].split("</span>")[0]
    # The page carries each domain's format for the script that updates the hint while typing.
    assert "etu.univ-poitiers.fr" in chosen[chosen.index("data-hints") :].split(">")[0]


def test_institution_choices_are_in_the_page_language(client, bare_login):
    html = client.post("/en/login/", {"identifier": "jmartin"}).content.decode()
    assert ">University of Poitiers</label>" in html and ">Poitiers University Hospital (CHU)</label>" in html


def test_an_error_is_tied_to_its_field_and_announced(client, student):
    html = client.post(
        "/login/", {"identifier": student.identifier, "password": "nope", "step": "password"}
    ).content.decode()
    assert 'role="alert"' in html and '<a href="#id_password">Identifiant ou mot de passe incorrect.</a>' in html
    assert 'aria-describedby="password-error capslock" aria-invalid="true"' in html
    empty = client.post("/login/", {"identifier": student.identifier, "password": "", "step": "password"})
    assert 'id="password-error">Saisissez votre mot de passe.</span>' in empty.content.decode()


def test_devices_are_named_in_words():
    from django.utils import translation

    from accounts.templatetags.devices import device

    firefox_android = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"
    with translation.override("fr"):
        assert device(firefox_android) == "Firefox sur Android"
        assert device("") == "Navigateur inconnu"
        assert device("curl/8.0") == "curl"
    with translation.override("en"):
        assert device(firefox_android) == "Firefox on Android"


def test_the_last_sign_in_reads_well_in_english(client, student):
    for _ in range(2):  # the second sign-in has a previous one to show
        client.post("/en/login/", {"identifier": student.identifier, "password": PASSWORD})
        client.post("/en/logout/")
    client.post("/en/login/", {"identifier": student.identifier, "password": PASSWORD})
    html = client.get("/en/services/").content.decode()
    assert "Last sign-in: " in html and "m.." not in html and ".." not in html.split("Last sign-in: ")[1][:40]
