"""In a real browser: axe-core finds nothing on every new page (phone and desktop), the
journeys work with JavaScript off, and the banner is reachable by keyboard."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from institutions.models import Platform
from status.models import Incident, IncidentUpdate, ProbeResult, ProbeTarget
from testing.browser import axe_check

pytestmark = pytest.mark.browser

EML = Path(__file__).parent / "data" / "lookalike.eml"


@pytest.fixture
def incident(site):
    zimbra = Platform.objects.get(slug="zimbra")
    found = Incident.objects.create(
        platform=zimbra,
        state="degraded",
        title_fr="Envoi de messages ralenti",
        title_en="Sending mail is slow",
        text_fr="Les messages partent avec quelques minutes de retard.",
        text_en="Messages leave a few minutes late.",
    )
    IncidentUpdate.objects.create(incident=found, text_fr="Cause identifiée.", text_en="Cause found.")
    target = ProbeTarget.objects.create(platform=zimbra, kind="smtp", host="smtp.univ-poitiers.fr", port=465)
    ProbeResult.objects.create(target=target, ok=False, error="timeout", checked_at=timezone.now())
    return found


PAGES = [
    "/etat/",
    "/en/etat/",
    "/securite/hameconnage/",
    "/en/securite/hameconnage/",
    "/securite/verifier-un-lien/",
    "/securite/signaler/",
    "/en/securite/signaler/",
]


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation_on_the_new_pages_with_a_banner(axe_page, incident, path):
    assert axe_page.goto(path).status == 200
    expect(axe_page.locator(".status-banner")).to_contain_text("Zimbra")
    axe_check(axe_page)


def test_axe_finds_no_violation_on_an_incident_page(axe_page, incident):
    assert axe_page.goto(f"/etat/incidents/{incident.pk}/").status == 200
    axe_check(axe_page)


def test_axe_finds_no_violation_on_the_home_page_with_a_banner(axe_page, incident):
    axe_page.goto("/")
    axe_check(axe_page)


@pytest.mark.parametrize("url", ["https://univ-poitiers.fr.evil.com/", "https://www.univ-poitiers.fr/", ""])
def test_axe_finds_no_violation_on_link_check_results(axe_page, site, url):
    axe_page.goto("/securite/verifier-un-lien/")
    axe_page.get_by_label("Le lien à vérifier").fill(url)
    axe_page.get_by_role("button", name="Vérifier").click()
    axe_check(axe_page)


def test_axe_finds_no_violation_on_a_report_result(axe_page, site):
    axe_page.goto("/securite/signaler/")
    axe_page.locator("input[type=file]").set_input_files(str(EML))
    axe_page.get_by_role("button", name="Envoyer le signalement").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est transmis")
    axe_check(axe_page)


def test_checking_a_link_without_javascript(js_disabled_page, screenshot):
    page = js_disabled_page
    page.goto("/securite/verifier-un-lien/")
    page.get_by_label("Le lien à vérifier").fill("https://univ-p0itiers.fr/connexion")
    page.get_by_role("button", name="Vérifier").click()
    result = page.locator("#resultat")
    expect(result).to_contain_text("Dangereux")
    expect(result).to_contain_text("univ-p0itiers.fr ressemble à univ-poitiers.fr")
    screenshot(page, "danger", full_page=True)


def test_reporting_an_eml_without_javascript(js_disabled_page, screenshot):
    page = js_disabled_page
    page.goto("/securite/signaler/")
    page.locator("input[type=file]").set_input_files(str(EML))
    page.get_by_label("Votre adresse électronique de l'établissement").fill("etudiant@etu.univ-poitiers.fr")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Ce message contient au moins un lien dangereux")).to_be_visible()
    expect(page.locator(".links")).to_contain_text("le site réel est validation-compte.com")
    screenshot(page, full_page=True)


def test_from_the_banner_to_the_incident_by_keyboard(viewport_page, incident, screenshot):
    page = viewport_page
    page.goto("/")
    screenshot(page, "home-banner")
    link = page.locator(".status-banner a")
    for _ in range(12):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError("the banner's link is not reachable by keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Envoi de messages ralenti")
    expect(page.get_by_text("Cause identifiée.")).to_be_visible()


def test_the_status_page_on_phone_and_desktop(viewport_page, incident, screenshot):
    page = viewport_page
    page.goto("/etat/")
    expect(page.locator("#zimbra .state")).to_have_text("Dégradé")
    expect(page.locator("#exchange .state")).to_have_text("Opérationnel")
    expect(page.locator("#zimbra .strip li")).to_have_count(90)
    page.locator("#zimbra summary").click()
    expect(page.locator("#zimbra table")).to_contain_text("échec")
    screenshot(page, full_page=True)


def test_the_phishing_page_on_phone_and_desktop(viewport_page, screenshot):
    page = viewport_page
    page.goto("/securite/hameconnage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reconnaître un message frauduleux")
    page.get_by_role("link", name="Vérifier un lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien est-il officiel ?")
    page.go_back()
    screenshot(page, full_page=True)
