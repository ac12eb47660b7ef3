"""The support desk and the HR pages in a real browser: axe-core finds nothing on a phone and
on a desktop, and each path works end to end with the CSP enforced."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from recovery.models import ManagerRequest, ResetCode, SupportReset
from testing.browser import axe_check

from .staff_people import make, signed_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(site):
    """The people of these pages, created once the live server has the Poitiers set-up."""
    from datetime import timedelta

    from django.utils import timezone

    nurse = make(
        "infirmiere@chu-poitiers.fr",
        display_name="Claire Dubois",
        email="claire.perso@example.org",
        mobile="+33612345678",
    )
    people = {
        "nurse": nurse,
        "agent": make("agent@univ-poitiers.fr", "universite", display_name="Alice Agent", is_support_agent=True),
        "agent2": make("agent2@univ-poitiers.fr", "universite", display_name="Bruno Agent", is_support_agent=True),
        "chief": make("cadre@chu-poitiers.fr", display_name="Marc Cadre", email="marc@example.org", is_manager=True),
        "hr": make("rh@chu-poitiers.fr", display_name="Rita RH", is_hr_approver=True),
    }
    now = timezone.now()
    people["pending"] = SupportReset.objects.create(
        account=people["chief"],
        requested_by=people["agent"],
        proofs=["piece-identite", "matricule"],
        note="Ticket 4521",
        channel=ResetCode.EMAIL,
        expires_at=now + timedelta(hours=24),
    )
    people["request"] = ManagerRequest.objects.create(
        account=nurse,
        requested_by=people["chief"],
        justification="Bloquée depuis son retour de congé, plus d'accès au mobile professionnel.",
        expires_at=now + timedelta(days=7),
    )
    return people


def _sign_in(page, account, site):
    """A session made by Django's test client (second factor verified), handed to the browser."""
    client = signed_in(account)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}])


AGENT_PAGES = [
    pytest.param("/support/guichet/", id="desk"),
    pytest.param("/support/guichet/?q=dubois", id="desk-results"),
    pytest.param("/support/guichet/?q=personne", id="desk-no-result"),
    pytest.param("/support/guichet/personne/{nurse}/", id="person"),
    pytest.param("/support/guichet/personne/{chief}/", id="person-privileged"),
    pytest.param("/support/guichet/personne/{agent}/", id="person-own"),
    pytest.param("/support/guichet/demandes/", id="approvals"),
]
HR_PAGES = [
    pytest.param("hr", "/rh/demandes/", id="hr-list"),
    pytest.param("hr", "/rh/demandes/{request}/", id="hr-detail"),
    pytest.param("chief", "/rh/demandes/", id="manager-list"),
    pytest.param("chief", "/rh/demandes/nouvelle/", id="manager-new"),
    pytest.param("chief", "/rh/demandes/{request}/", id="manager-detail"),
]


def _ids(cast):
    return {
        "nurse": cast["nurse"].pk,
        "chief": cast["chief"].pk,
        "agent": cast["agent"].pk,
        "request": cast["request"].pk,
    }


@pytest.mark.parametrize("path", AGENT_PAGES)
def test_axe_finds_no_violation_on_the_desk(axe_page, site, cast, path):
    _sign_in(axe_page, cast["agent"], site)
    assert axe_page.goto(path.format(**_ids(cast))).status == 200
    axe_check(axe_page)


@pytest.mark.parametrize(("who", "path"), HR_PAGES)
def test_axe_finds_no_violation_on_the_hr_pages(axe_page, site, cast, who, path):
    _sign_in(axe_page, cast[who], site)
    assert axe_page.goto(path.format(**_ids(cast))).status == 200
    axe_check(axe_page)


def test_axe_finds_no_violation_on_forms_with_errors(axe_page, site, cast):
    _sign_in(axe_page, cast["agent"], site)
    axe_page.goto(f"/support/guichet/personne/{cast['nurse'].pk}/")
    axe_page.get_by_role("button", name="Réinitialiser").click()
    expect(axe_page.locator(".notice-invalid")).to_be_visible()
    axe_check(axe_page)

    axe_page.context.clear_cookies()
    _sign_in(axe_page, cast["chief"], site)
    axe_page.goto("/rh/demandes/nouvelle/")
    axe_page.get_by_label("Justification").fill("Trop court")
    axe_page.get_by_role("button", name="Envoyer la demande").click()
    expect(axe_page.locator(".field-error").first).to_be_visible()
    axe_check(axe_page)


def test_an_agent_prints_a_code_after_checking_identity(open_page, site, cast, viewport, screenshot):
    page = open_page(viewport, bypass_csp=True)  # for axe on the code's page; these pages run no script
    _sign_in(page, cast["agent"], site)
    page.goto("/support/guichet/")
    page.get_by_label("Identifiant exact ou partie du nom").fill("Infirmiere@CHU-Poitiers.fr")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="infirmiere@chu-poitiers.fr").click()
    expect(page.get_by_text("Courriel : c••••@example.org")).to_be_visible()
    page.get_by_label("Pièce d'identité officielle présentée au guichet").check()
    page.get_by_label("Numéro d'agent (matricule) confirmé").check()
    page.get_by_label("Note (numéro de ticket, circonstances)").fill("Ticket 4522, au guichet")
    page.get_by_label("Code imprimé, remis en main propre (valable 10 minutes)").check()
    screenshot(page, "person", full_page=True)
    page.get_by_role("button", name="Réinitialiser").click()
    code = page.locator(".code-printed")
    expect(code).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # no sideways scroll
    screenshot(page, "printed")
    axe_check(page)
    assert ResetCode.objects.get(account=cast["nurse"]).channel == ResetCode.PRINTED


def test_a_second_agent_approves_a_privileged_reset(open_page, site, cast):
    page = open_page("desktop")
    _sign_in(page, cast["agent2"], site)
    page.goto("/support/guichet/demandes/")
    page.get_by_role("button", name="Approuver et délivrer").click()
    expect(page.locator(".notice-matched")).to_contain_text("adresse de secours vérifiée")
    cast["pending"].refresh_from_db()
    assert cast["pending"].status == SupportReset.ISSUED


def test_a_manager_files_and_hr_approves(open_page, site, cast, tmp_path, screenshot):
    cast["request"].delete()
    page = open_page("desktop")
    _sign_in(page, cast["chief"], site)
    page.goto("/rh/demandes/nouvelle/")
    page.get_by_label("Identifiant du membre du personnel").fill("infirmiere@chu-poitiers.fr")
    page.get_by_label("Justification").fill("Bloquée depuis son retour de congé, plus d'accès au mobile.")
    document = tmp_path / "arret.pdf"
    document.write_bytes(PDF)
    page.get_by_label("Justificatif (facultatif)").set_input_files(document)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".notice-matched")).to_contain_text("Demande enregistrée")
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)

    approver = open_page("desktop")
    _sign_in(approver, cast["hr"], site)
    approver.goto("/rh/demandes/")
    approver.get_by_role("link", name="Claire Dubois").click()
    screenshot(approver, "hr-detail", full_page=True)
    with approver.expect_download() as download:
        approver.get_by_role("link", name="Télécharger le justificatif").click()
    assert download.value.suggested_filename.endswith(".pdf")
    approver.get_by_role("button", name="Approuver", exact=True).click()
    expect(approver.locator(".notice-matched")).to_contain_text("Décision enregistrée")
    screenshot(approver, "hr-approved")
    assert ManagerRequest.objects.get().status == ManagerRequest.ISSUED
