"""The orientation pages as a person without JavaScript gets them."""

import re

import pytest
from django.utils.html import escape

pytestmark = pytest.mark.django_db


def test_the_home_page_puts_se_connecter_first_then_the_profiles(client, poitiers):
    html = client.get("/").content.decode()
    signin = html.index("Se connecter</a>")
    assert signin < html.index("<h1>") < html.index("Quelle messagerie pour vous")
    for label in ("étudiant", "enseignant", "CHU", "personnel administratif"):
        assert label in html
    for identifier in ("@etu.univ-poitiers.fr", "@ac-poitiers.fr", "@chu-poitiers.fr"):
        assert identifier in html


def test_the_home_page_has_the_public_portal_use_table(client, poitiers):
    html = client.get("/").content.decode()
    table = html[html.index("<table>") : html.index("</table>")]
    for public, portal, use in [
        ("Enseignants et personnels académiques", "Convergence", "Boîtes nominatives"),
        ("Étudiants et personnels universitaires", "Zimbra", "calendriers partagés"),
        ("Personnel hospitalier (CHU)", "Exchange / Outlook", "intégration RH"),
    ]:
        row = table[table.index(escape(public)) :].split("</tr>")[0]
        assert portal in row and use in row


def test_the_home_page_is_light(client, poitiers):
    response = client.get("/")
    assert len(response.content) < 50_000
    html = response.content.decode()
    # No third-party resources: links to webmails are fine, loaded files are all ours.
    assert not re.search(r'src="(https?:)?//', html) and not re.search(r'<link[^>]*href="(https?:)?//', html)
    assert "<script>" not in html and " style=" not in html  # nothing inline (CSP)


def test_se_connecter_leads_to_the_sign_in(client, poitiers):
    html = client.get("/").content.decode()
    assert 'class="button signin" href="/login/"' in html
    assert 'name="identifier"' in client.get("/login/").content.decode()


def test_a_matching_address_goes_straight_to_its_platform(client, poitiers):
    response = client.get("/orientation/", {"identifier": "  Jeanne.Martin@ETU.univ-poitiers.fr "})
    assert response.status_code == 302
    assert response["Location"] == "/plateformes/zimbra/?identifier=jeanne.martin%40etu.univ-poitiers.fr"
    page = client.get(response["Location"]).content.decode()
    assert "relève bien de Zimbra" in page


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("jeanne@ac-poiters.fr", "Vouliez-vous dire jeanne@ac-poitiers.fr ?"),
        ("jeanne@ac-poitiers.fr.evil.com", "n&#x27;est pas une messagerie de nos établissements"),
        ("jeanne@gmail.com", "n&#x27;est pas une messagerie de nos établissements"),
        ("jmartin", "Un identifiant sans « @domaine »"),
        ("jeanne martin@ac-poitiers.fr", "ne ressemble pas à une adresse"),
    ],
)
def test_other_answers_are_plain_pages_that_keep_the_input(client, poitiers, identifier, expected):
    response = client.get("/orientation/", {"identifier": identifier})
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert f'value="{escape(identifier)}"' in html
    for slug in ("convergence", "zimbra", "exchange"):
        assert f'href="/plateformes/{slug}/"' in html


def test_a_suggestion_is_one_click_away(client, poitiers):
    html = client.get("/orientation/", {"identifier": "jeanne@chu-potiers.fr"}).content.decode()
    assert 'href="/orientation/?identifier=jeanne%40chu-poitiers.fr"' in html


def test_echoed_input_is_escaped(client, poitiers):
    html = client.get("/orientation/", {"identifier": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("slug", ["convergence", "zimbra", "exchange"])
def test_each_platform_page_says_url_padlock_identifier_and_way_in(client, poitiers, slug):
    from institutions.models import Platform

    platform = Platform.objects.get(slug=slug)
    html = client.get(f"/plateformes/{slug}/").content.decode()
    assert platform.webmail_url in html
    assert "adresse non confirmée par l'établissement" in html
    assert "cadenas" in html and f"<strong>{platform.hostname}</strong>" in html
    for public in platform.publics.all():
        assert public.identifier_example in html
    assert f'class="button" href="{platform.webmail_url}"' in html
    assert "Ce n'est pas votre messagerie ?" in html


def test_a_confirmed_address_is_shown_as_confirmed(client, poitiers):
    from institutions.models import Platform

    Platform.objects.filter(slug="zimbra").update(confirmed_url="https://webmail.univ-poitiers.fr/")
    html = client.get("/plateformes/zimbra/").content.decode()
    assert "adresse officielle confirmée" in html and "non confirmée" not in html


def test_the_wrong_portal_points_to_the_right_one_in_one_click(client, poitiers):
    html = client.get("/plateformes/zimbra/", {"identifier": "jeanne@ac-poitiers.fr"}).content.decode()
    assert "Mauvais portail" in html
    assert 'href="/plateformes/convergence/?identifier=jeanne%40ac-poitiers.fr"' in html


def test_the_wrong_portal_form_routes_from_the_identifier(client, poitiers):
    html = client.get("/plateformes/zimbra/").content.decode()
    form = html[html.index('id="pas-votre-messagerie"') :]
    assert 'action="/orientation/"' in form and 'name="identifier"' in form
    response = client.get("/orientation/", {"identifier": "soignant@chu-poitiers.fr"})
    assert response["Location"].startswith("/plateformes/exchange/")


def test_an_unknown_platform_is_a_404_page_in_french(client, poitiers):
    response = client.get("/plateformes/gmail/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_the_accessibility_statement_exists(client, poitiers):
    html = client.get("/accessibilite/").content.decode()
    assert "Déclaration d'accessibilité" in html and "RGAA" in html and "Défenseur des droits" in html


def test_head_requests_are_answered(client, poitiers):
    assert client.head("/").status_code == 200


def test_a_post_to_a_page_is_refused_plainly(client, poitiers):
    assert client.post("/").status_code == 405
