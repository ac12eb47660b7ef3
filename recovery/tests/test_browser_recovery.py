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


def _ask(page, channel_label, contact):
    page.goto("/password/reset/")
    page.get_by_label("Votre adresse ou identifiant de messagerie").fill(NURSE)
    page.get_by_label(channel_label).check()
    page.get_by_label("Votre adresse de secours ou votre numéro de mobile").fill(contact)
    page.get_by_role("button", name="Recevoir un code").click()
    expect(page.get_by_role("heading", name="Saisir le code reçu")).to_be_visible()


def _finish(page, code, screenshot):
    page.get_by_label("Code reçu (8 caractères)").fill(code)
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_role("heading", name="Choisissez un nouveau mot de passe")).to_be_visible()
    page.wait_for_load_state()  # the meter's script is deferred: let it attach first
    page.get_by_label("Nouveau mot de passe").fill("motdepasse2026")
    expect(page.locator("[data-strength-for=id_password]")).not_to_be_empty()  # the live meter
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
    _ask(page, "par courriel", "claire.perso@example.org")
    screenshot(page, "sent")
    body = smtp_server.messages[-1].get_body(("plain",)).get_content()
    _finish(page, re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", body).group(1), screenshot)


def test_by_sms_on_a_phone(open_page, nurse, brevo_server, screenshot):
    page = open_page("phone")
    _ask(page, "par SMS", "06 12 34 56 78")
    _finish(
        page,
        re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", brevo_server.requests[-1]["json"]["content"]).group(1),
        screenshot,
    )


def test_without_javascript(open_page, nurse, smtp_server, screenshot):
    page = open_page("desktop", javascript=False)
    _ask(page, "par courriel", "claire.perso@example.org")
    code = re.search(
        r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", smtp_server.messages[-1].get_body(("plain",)).get_content()
    ).group(1)
    page.get_by_label("Code reçu (8 caractères)").fill(code)
    page.get_by_role("button", name="Valider le code").click()
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", name="Votre mot de passe est changé")).to_be_visible()


def test_axe_on_the_recovery_pages(axe_page, nurse, smtp_server):
    axe_page.goto("/password/reset/")
    axe_check(axe_page)
    axe_page.get_by_role("button", name="Recevoir un code").click()  # empty form: errors shown
    axe_check(axe_page)
    _ask(axe_page, "par courriel", "claire.perso@example.org")
    axe_check(axe_page)
    axe_page.get_by_label("Code reçu (8 caractères)").fill("2222-2222")
    axe_page.get_by_role("button", name="Valider le code").click()
    axe_check(axe_page)  # wrong code
    code = re.search(
        r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", smtp_server.messages[-1].get_body(("plain",)).get_content()
    ).group(1)
    axe_page.get_by_label("Code reçu (8 caractères)").fill(code)
    axe_page.get_by_role("button", name="Valider le code").click()
    axe_check(axe_page)  # new password
    axe_page.get_by_label("Nouveau mot de passe").fill("court")
    axe_page.get_by_label("Le même, une seconde fois").fill("court")
    axe_page.get_by_role("button", name="Enregistrer le mot de passe").click()
    axe_check(axe_page)  # refused, with reasons
    axe_page.goto("/password/reset/code/")
    axe_check(axe_page)
    axe_page.goto("/password/reset/lien/not-a-real-link/")
    axe_check(axe_page)
