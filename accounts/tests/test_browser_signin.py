"""Sign-in journeys in headless Chromium: password, TOTP, mistakes and the pause."""

import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import TOTPDevice
from testing.browser import axe_check
from testing.personas import PASSWORD, make_student

pytestmark = pytest.mark.browser
STUDENT = "etudiant@etu.univ-poitiers.fr"


@pytest.fixture
def student(site):
    """The suite's student, in the live server's transactional database."""
    return make_student()


def _type_identifier(page, identifier=STUDENT):
    page.goto("/login/")
    page.get_by_label("Votre adresse ou identifiant").fill(identifier)
    page.get_by_role("button", name="Continuer").click()
    # The password step's deferred script must be running before a test types into it.
    page.wait_for_load_state("load")


def test_sign_in_with_a_password_on_a_phone(open_page, student, screenshot):
    page = open_page("phone")
    page.goto("/")
    page.get_by_role("link", name="Se connecter").first.click()
    _type_identifier(page)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    screenshot(page, "password")
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()
    expect(page.get_by_role("link", name="Ouvrir ma messagerie")).to_be_visible()
    screenshot(page, "services")


def test_sign_in_without_javascript(open_page, student):
    page = open_page("desktop", javascript=False)
    _type_identifier(page)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


def test_sign_in_with_totp(open_page, student, screenshot):
    device = TOTPDevice.objects.create(user=student, name="TOTP", confirmed=True)
    page = open_page("desktop")
    _type_identifier(page)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    screenshot(page, "verification")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    page.get_by_label("Code de votre application").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


def test_mistakes_then_the_pause_are_said_plainly(open_page, student, screenshot):
    page = open_page("phone")
    _type_identifier(page)
    for attempt in range(5):
        page.get_by_label("Mot de passe", exact=True).fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Se connecter").last.click()
        if attempt < 4:
            expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_role("heading", name="Connexion suspendue")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("suspendue jusqu'à")
    expect(page.get_by_role("link", name="Réinitialiser mon mot de passe")).to_be_visible()
    screenshot(page, "paused")


def test_caps_lock_is_pointed_out(open_page, student):
    page = open_page("desktop")
    _type_identifier(page)
    field = page.get_by_label("Mot de passe", exact=True)
    # Headless Chromium has no real Caps Lock: the key event carries the modifier instead.
    field.dispatch_event("keyup", {"key": "A", "modifierCapsLock": True})
    expect(page.locator("#capslock")).to_contain_text("Verr. Maj.")
    field.dispatch_event("keyup", {"key": "a", "modifierCapsLock": False})
    expect(page.locator("#capslock")).to_have_text("")


def test_keyboard_only_sign_in(open_page, student):
    page = open_page("desktop")
    page.goto("/login/")
    # The identifier has focus on arrival: no Tab at all.
    expect(page.get_by_label("Votre adresse ou identifiant")).to_be_focused()
    page.keyboard.type(STUDENT)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


AXE_PAGES_ANONYMOUS = ["/login/", "/password/reset/", "/en/login/"]
AXE_PAGES_SIGNED_IN = ["/services/", "/compte/connexions/", "/compte/securite/", "/compte/contacts/", "/logout/"]


def _sign_in(page):
    page.goto("/login/")
    page.get_by_label("Votre adresse ou identifiant").fill(STUDENT)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


def test_axe_on_sign_in_pages(axe_page, student):
    for path in AXE_PAGES_ANONYMOUS:
        axe_page.goto(path)
        axe_check(axe_page)
    axe_page.goto("/login/")
    axe_page.get_by_label("Votre adresse ou identifiant").fill(STUDENT)
    axe_page.get_by_role("button", name="Continuer").click()
    axe_check(axe_page)  # password step
    axe_page.get_by_label("Mot de passe", exact=True).fill("wrong")
    axe_page.get_by_role("button", name="Se connecter").last.click()
    axe_check(axe_page)  # error message
    axe_page.goto("/login/")
    axe_page.get_by_label("Votre adresse ou identifiant").fill("jmartin")
    axe_page.get_by_role("button", name="Continuer").click()
    axe_check(axe_page)  # institution choice


def test_axe_on_signed_in_pages(axe_page, student):
    _sign_in(axe_page)
    for path in AXE_PAGES_SIGNED_IN:
        axe_page.goto(path)
        axe_check(axe_page)
    axe_page.goto("/compte/securite/totp/")  # asks for the password first
    axe_check(axe_page)
    axe_page.get_by_label("Mot de passe").fill(PASSWORD)
    axe_page.get_by_role("button", name="Confirmer").click()
    expect(axe_page.get_by_role("heading", name="Application d'authentification")).to_be_visible()
    axe_check(axe_page)


def test_axe_on_the_paused_page(axe_page, student):
    axe_page.goto("/login/")
    axe_page.get_by_label("Votre adresse ou identifiant").fill(STUDENT)
    axe_page.get_by_role("button", name="Continuer").click()
    for attempt in range(5):
        axe_page.get_by_label("Mot de passe", exact=True).fill(f"wrong-{attempt}")
        axe_page.get_by_role("button", name="Se connecter").last.click()
    expect(axe_page.get_by_role("heading", name="Connexion suspendue")).to_be_visible()
    axe_check(axe_page)
