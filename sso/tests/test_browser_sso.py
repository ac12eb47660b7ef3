"""Sign in once, open two relying parties without typing the password again, then one
logout ends them all — in headless Chromium, against relying parties on loopback."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from institutions.models import Client, Public
from testing.browser import axe_check
from testing.personas import PASSWORD
from testing.relying_parties import RelyingParties

pytestmark = pytest.mark.browser
KEY = "6b7ead4bd425836e8cf0079cd6c1a05acc127acd07c8ee4b61023e19250e929c"


@pytest.fixture
def parties(site, settings):
    public = Public.objects.get(slug="universite")
    Account.objects.create_user(
        "etudiant@etu.univ-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        platform=public.platform,
    )
    settings.GUICHET_ZIMBRA_PREAUTH_KEYS = {"etu.univ-poitiers.fr": KEY}
    with RelyingParties(site, KEY) as rp:
        zimbra = Client.objects.get(slug="zimbra-webmail")
        zimbra.config["preauth_url"] = f"{rp.url}/service/preauth"
        zimbra.save()
        Client.objects.create(
            slug="app-cas",
            name="Application CAS",
            protocol="cas",
            config={"service_patterns": [f"^{rp.url}/cas-app/"], "logout_url": f"{rp.url}/slo"},
        )
        yield rp


def _sign_in(page):
    page.goto("/login/")
    page.get_by_label("Votre adresse ou identifiant").fill("etudiant@etu.univ-poitiers.fr")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("heading", name="Mes services")).to_be_visible()


def test_one_sign_in_two_relying_parties_one_logout(open_page, parties, screenshot):
    page = open_page("desktop")
    page.goto(parties.cas_service)  # the CAS application sends the browser to Guichet
    page.get_by_label("Votre adresse ou identifiant").fill("etudiant@etu.univ-poitiers.fr")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    # …and once signed in, the browser goes on to the application (despite the form's CSP).
    expect(page.get_by_role("heading")).to_have_text("Application CAS : etudiant@etu.univ-poitiers.fr")

    page.goto("/services/")
    screenshot(page, "services")
    page.get_by_role("link", name="Ouvrir ma messagerie").click()  # no password asked
    expect(page.get_by_role("heading")).to_have_text("Zimbra : etudiant@etu.univ-poitiers.fr")

    page.goto(parties.cas_service)  # signed in: straight back with a fresh ticket
    expect(page.get_by_role("heading")).to_have_text("Application CAS : etudiant@etu.univ-poitiers.fr")

    page.goto("/services/")
    page.get_by_role("button", name="Se déconnecter").click()
    assert len(parties.logouts) == 2  # both CAS sign-ons were told, back-channel
    page.goto(parties.cas_service)  # and Guichet now asks for the password again
    expect(page.get_by_label("Votre adresse ou identifiant")).to_be_visible()


def test_axe_on_services_and_wrong_portal(axe_page, parties):
    _sign_in(axe_page)
    axe_check(axe_page)
    cas = Client.objects.get(slug="app-cas")
    cas.publics.set([Public.objects.get(slug="chu")])
    axe_page.goto(parties.cas_service)
    expect(axe_page.get_by_role("heading", name="Mauvais portail")).to_be_visible()
    axe_check(axe_page)
    axe_page.goto("/cas/login?service=https%3A%2F%2Fevil.example%2F")
    expect(axe_page.get_by_role("heading", name="Application non reconnue")).to_be_visible()
    axe_check(axe_page)
