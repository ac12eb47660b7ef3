"""Self-service recovery in headless Chromium: the nurse on her phone, by e-mail and by SMS."""

import re

import pytest
from playwright.sync_api import expect

from recovery import policy
from testing.browser import axe_check
from testing.personas import make_nurse

pytestmark = pytest.mark.browser
NURSE = "infirmiere@chu-poitiers.fr"
NEW_PASSWORD = "le chat de ma voisine mange des croissants"


@pytest.fixture
def nurse(site):
    """The suite's nurse, in the live server's transactional database."""
    # The policy's word lists load on first use (about a second, more on a busy machine):
    # load them now, so the live meter answers within the usual wait.
    policy.score("warm-up")
    return make_nurse()


LINK = re.compile(r"http://[^/\s]+(/password/reset/lien/[^\s]+/)")
CODE = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b")


def _ask(page, channel_label, contact):
    page.goto("/password/reset/")
    page.get_by_label("Votre adresse ou identifiant de messagerie").fill(NURSE)
    page.get_by_label(channel_label).check()
    page.get_by_label("Votre adresse de secours ou votre numéro de mobile").fill(contact)
    page.get_by_role("button", name="Recevoir le lien ou le code").click()
    heading = "Ouvrez le lien reçu" if "courriel" in channel_label else "Saisir le code reçu"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def _open_link(page, smtp_server):
    """The e-mail carries the link only: open it, confirm."""
    page.goto(LINK.search(smtp_server.messages[-1].get_body(("plain",)).get_content()).group(1))
    page.get_by_role("button", name="Choisir un nouveau mot de passe").click()


def _type_code(page, code):
    page.get_by_label("Code reçu (8 caractères)").fill(code)
    page.get_by_role("button", name="Valider le code").click()


def _finish(page, screenshot):
    expect(page.get_by_role("heading", name="Choisissez un nouveau mot de passe")).to_be_visible()
    page.wait_for_load_state()  # the meter's script is deferred: let it attach first
    page.get_by_label("Nouveau mot de passe").fill("motdepasse2026")
    # The live meter, in the page's language (its words come from the gettext catalogue).
    expect(page.locator("[data-strength-for=id_password]")).to_contain_text("Solidité du mot de passe\u00a0: ")
    screenshot(page, "weak")
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", name="Votre mot de passe est changé")).to_be_visible()
    page.get_by_role("link", name="Se connecter").last.click()
    page.get_by_label("Votre adresse ou identifiant").fill(NURSE)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


def test_by_email_on_a_phone(open_page, nurse, smtp_server, screenshot):
    page = open_page("phone")
    _ask(page, "un lien par courriel", "claire.perso@example.org")
    screenshot(page, "sent")
    _open_link(page, smtp_server)
    _finish(page, screenshot)


def test_by_sms_on_a_phone(open_page, nurse, brevo_server, screenshot):
    page = open_page("phone")
    _ask(page, "un code par SMS", "06 12 34 56 78")
    _type_code(page, CODE.search(brevo_server.requests[-1]["json"]["content"]).group(1))
    _finish(page, screenshot)


def test_the_meter_speaks_english_on_the_english_page(open_page, nurse, smtp_server):
    page = open_page("desktop")
    _ask(page, "un lien par courriel", "claire.perso@example.org")
    _open_link(page, smtp_server)
    page.goto("/en/password/reset/nouveau/")  # the same grant, the English page
    page.wait_for_load_state()
    page.locator("#id_password").fill("motdepasse2026")
    meter = page.locator("[data-strength-for=id_password]")
    expect(meter).to_contain_text("Password strength: ")
    expect(meter).not_to_contain_text("Solidité")


def test_without_javascript(open_page, nurse, smtp_server, screenshot):
    page = open_page("desktop", javascript=False)
    _ask(page, "un lien par courriel", "claire.perso@example.org")
    _open_link(page, smtp_server)
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", name="Votre mot de passe est changé")).to_be_visible()


def test_axe_on_the_recovery_pages(axe_page, nurse, smtp_server):
    axe_page.goto("/password/reset/")
    axe_check(axe_page)
    axe_page.get_by_role("button", name="Recevoir le lien ou le code").click()  # empty form: errors shown
    axe_check(axe_page)
    _ask(axe_page, "un lien par courriel", "claire.perso@example.org")
    axe_check(axe_page)  # where to look for the link
    axe_page.goto("/password/reset/code/")
    axe_page.get_by_label("Votre adresse ou identifiant de messagerie").fill(NURSE)
    _type_code(axe_page, "2222-2222")
    axe_check(axe_page)  # wrong code
    _open_link(axe_page, smtp_server)
    axe_check(axe_page)  # new password
    axe_page.get_by_label("Nouveau mot de passe").fill("court")
    axe_page.get_by_label("Le même, une seconde fois").fill("court")
    axe_page.get_by_role("button", name="Enregistrer le mot de passe").click()
    axe_check(axe_page)  # refused, with reasons
    axe_page.goto("/password/reset/code/")
    axe_check(axe_page)
    axe_page.goto("/password/reset/lien/not-a-real-link/")
    axe_check(axe_page)
