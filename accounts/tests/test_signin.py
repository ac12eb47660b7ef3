"""Signing in at /login/: identifier first, password, « Mes services »."""

import pytest

from accounts.models import UserSession
from testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_identifier_and_password_together_sign_in_directly(client, student):
    response = sign_in(client, "Etudiant@ETU.univ-poitiers.fr ")
    assert response.status_code == 302 and response["Location"] == "/services/"
    assert client.get("/services/").context["user"] == student


def test_the_identifier_step_then_the_password_step(client, student):
    page = client.post("/login/", {"identifier": "etudiant@etu.univ-poitiers.fr"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="password" name="password"' in html and 'value="etudiant@etu.univ-poitiers.fr" readonly' in html
    assert 'name="institution" value="univ-poitiers"' in html  # decided by the domain
    response = client.post(
        "/login/", {"identifier": "etudiant@etu.univ-poitiers.fr", "institution": "univ-poitiers", "password": PASSWORD}
    )
    assert response["Location"] == "/services/"


def test_a_bare_login_asks_for_the_institution(client, bare_login):
    html = client.post("/login/", {"identifier": "jmartin"}).content.decode()
    for short in ("Université", "Académie", "CHU"):
        assert short in html
    assert 'type="radio" name="institution"' in html
    assert sign_in(client, "jmartin", institution="chu-poitiers")["Location"] == "/services/"


def test_a_bare_login_in_the_wrong_institution_is_refused(client, bare_login):
    response = sign_in(client, "jmartin", institution="univ-poitiers")
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_a_bare_login_with_a_password_but_no_institution_asks_and_never_echoes(client, bare_login):
    html = sign_in(client, "jmartin").content.decode()
    assert "Choisissez votre établissement" in html and PASSWORD not in html


def test_a_wrong_password_says_so_plainly_and_keeps_the_identifier(client, student):
    response = sign_in(client, "etudiant@etu.univ-poitiers.fr", "wrong")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in html
    assert 'value="etudiant@etu.univ-poitiers.fr"' in html and "wrong" not in html


def test_an_unknown_identifier_gets_the_same_answer(client, student):
    known = sign_in(client, "etudiant@etu.univ-poitiers.fr", "wrong").content.decode()
    unknown = sign_in(client, "personne@etu.univ-poitiers.fr", "wrong").content.decode()
    strip = lambda html: _without_csrf(html).replace("personne@", "etudiant@")  # noqa: E731
    assert strip(unknown) == strip(known)


def _without_csrf(html: str) -> str:
    import re

    return re.sub(r'name="(csrfmiddlewaretoken|pace)" value="[^"]+"', "", html)


def test_mot_de_passe_oublie_is_always_visible(client, student):
    for html in (
        client.get("/login/").content.decode(),
        client.post("/login/", {"identifier": "etudiant@etu.univ-poitiers.fr"}).content.decode(),
        sign_in(client, "etudiant@etu.univ-poitiers.fr", "wrong").content.decode(),
    ):
        assert 'href="/password/reset/">Mot de passe oublié ?</a>' in html


def test_a_disabled_account_is_told_to_contact_support(client, student):
    student.status = student.DISABLED
    student.save()
    assert "plus actif" in sign_in(client, "etudiant@etu.univ-poitiers.fr").content.decode()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/compte/connexions/", "/compte/connexions/"),
        ("/plateformes/zimbra/", "/plateformes/zimbra/"),
        ("https://evil.example/", "/services/"),
        ("//evil.example/", "/services/"),
        ("/\\evil.example", "/services/"),
        ("javascript:alert(1)", "/services/"),
        ("/logout/", "/services/"),
        ("/nulle-part/", "/services/"),
    ],
)
def test_next_only_goes_to_allow_listed_pages(client, student, next_url, expected):
    assert sign_in(client, "etudiant@etu.univ-poitiers.fr", next=next_url)["Location"] == expected


def test_services_lists_the_recommended_platform_first_with_the_last_sign_in(client, student):
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    first = client.get("/services/").content.decode()
    assert "C&#x27;est votre première connexion" in first or "première connexion" in first
    client.post("/logout/")
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    html = client.get("/services/").content.decode()
    assert "Dernière connexion :" in html
    assert html.index("Zimbra") < html.index("votre messagerie")


def test_services_needs_a_sign_in(client, poitiers):
    response = client.get("/services/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/services/")


def test_sign_in_rotates_the_session_key(client, student):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    assert client.session.session_key != before


def test_logout_is_a_post_and_ends_the_session(client, student):
    sign_in(client, "etudiant@etu.univ-poitiers.fr")
    assert client.get("/logout/").status_code == 200  # a page with a button, not a logout
    assert client.get("/services/").status_code == 200
    client.post("/logout/")
    assert client.get("/services/").status_code == 302
    assert UserSession.objects.get(account=student).revoked_at is not None


def test_the_admin_signs_in_through_login(client, poitiers):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
