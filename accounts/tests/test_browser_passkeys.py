"""Passkeys in a real browser, under the site's strict CSP: Chromium's virtual authenticator
(DevTools' WebAuthn domain) stands in for the phone, the laptop or the security key."""

import os
import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from audit.models import Event
from testing.browser import axe_check
from testing.personas import PASSWORD, make_student

pytestmark = pytest.mark.browser
STUDENT = "etudiant@etu.univ-poitiers.fr"


@pytest.fixture
def passkey_site(site, settings):
    # The live server's own origin: http://localhost:<port>, a secure context, and the RP ID
    # "localhost" of the default settings.
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [site]
    return site


@pytest.fixture
def student(passkey_site):
    """The suite's student, in the live server's transactional database."""
    return make_student()


def virtual_authenticator(page):
    """A platform authenticator that holds passkeys and verifies the person at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    return cdp, cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


def sign_in_with_password(page):
    page.goto("/login/")
    page.get_by_label("Votre adresse ou identifiant").fill(STUDENT)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


@pytest.fixture
def check_accessibility(_axe_pages):
    """axe-core on a page of this session, in the kept axe page (CSP bypassed, axe loaded)."""

    def check(page, path):
        checker = _axe_pages("desktop")
        checker.context.clear_cookies()
        checker.context.add_cookies(page.context.cookies())
        try:
            assert checker.goto(path).status == 200
            expect(checker.locator("[data-passkey] .passkey-ready")).to_be_visible()  # the script ran
            axe_check(checker)
        finally:
            checker.context.clear_cookies()
            checker.goto("about:blank")

    return check


def test_a_passkey_is_added_then_used_to_sign_in(open_page, student, check_accessibility, screenshot):
    page = open_page("desktop")
    cdp, authenticator = virtual_authenticator(page)
    sign_in_with_password(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes services")

    # Adding one: a fresh password first, then the button on « Sécurité du compte ».
    page.goto("/compte/securite/")
    expect(page.get_by_role("button", name="Ajouter une clé d'accès")).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Une clé d'accès")).click()
    expect(page).to_have_url(re.compile(r"/compte/confirmer/\?next="))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sécurité du compte")
    page.get_by_role("button", name="Ajouter une clé d'accès").click()

    expect(page.get_by_text("Clé d'accès ajoutée. Elle vous sera demandée à la prochaine connexion.")).to_be_visible()
    expect(page.get_by_text("Clé d'accès (Chrome / Linux)")).to_be_visible()
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(held) == 1 and held[0]["rpId"] == "localhost"
    assert WebAuthnCredential.objects.filter(user=student, confirmed=True).count() == 1
    assert Event.objects.filter(code="accounts.factor.added", data__factor="passkey").count() == 1
    screenshot(page, "security")
    check_accessibility(page, "/compte/securite/")

    # Signing in again: the password, then the passkey instead of a code.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    sign_in_with_password(page)
    expect(page).to_have_url(re.compile(r"/login/verification/$"))
    expect(page.get_by_label("Code de votre application d'authentification, ou code de secours")).to_be_visible()
    screenshot(page, "verification")
    check_accessibility(page, "/login/verification/")

    page.get_by_role("button", name="Utiliser ma clé d'accès").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes services")
    assert page.url.endswith("/services/")
    assert Event.objects.filter(code="accounts.signin.success", data__factor="WebAuthnCredential").count() == 1


def test_without_javascript_the_verification_page_keeps_the_code_form(open_page, student, screenshot):
    WebAuthnCredential(
        user=student,
        name="Chrome / Linux",
        confirmed=True,
        credential_id=os.urandom(32),
        public_key=b"\xa0",  # never checked: this browser cannot even try the passkey
        aaguid="00000000-0000-0000-0000-000000000000",
    ).save()
    page = open_page("desktop", javascript=False)
    sign_in_with_password(page)

    expect(page).to_have_url(re.compile(r"/login/verification/$"))
    expect(page.get_by_text("Votre clé d'accès demande JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Utiliser ma clé d'accès")).to_be_hidden()
    expect(page.get_by_label("Code de votre application d'authentification, ou code de secours")).to_be_visible()
    expect(page.get_by_role("button", name="Vérifier")).to_be_visible()
    screenshot(page, "nojs")
