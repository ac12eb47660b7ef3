"""The routing form in a real browser: without JavaScript (the server answers), with it
(a live hint while typing), and the way back from the wrong portal."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FIELD = "Votre adresse ou identifiant"


def _notice(page):
    """The server's answer: a status message (not the form's live region, which JS fills)."""
    return page.locator(".notice[role=status]")


def _platform_url(site, slug, identifier):
    return f"{site}/plateformes/{slug}/?identifier={quote(identifier, safe='')}"


# --- without JavaScript ------------------------------------------------------------------


def test_an_address_goes_straight_to_its_platform_without_javascript(js_disabled_page, site):
    page = js_disabled_page
    page.goto("/")

    field = page.get_by_label(FIELD)
    field.fill("Jeanne.Martin@ETU.univ-poitiers.fr")
    field.press("Enter")

    expect(page).to_have_url(_platform_url(site, "zimbra", "jeanne.martin@etu.univ-poitiers.fr"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zimbra")
    expect(_notice(page)).to_have_text("L'adresse jeanne.martin@etu.univ-poitiers.fr relève bien de Zimbra.")


def test_a_typo_is_suggested_and_one_click_accepts_it_without_javascript(js_disabled_page, site):
    page = js_disabled_page
    page.goto("/")

    field = page.get_by_label(FIELD)
    field.fill("x@ac-poiters.fr")
    field.press("Enter")

    expect(page).to_have_url(f"{site}/orientation/?identifier=x%40ac-poiters.fr")
    notice = _notice(page)
    expect(notice).to_contain_text("Vouliez-vous dire x@ac-poitiers.fr ?")
    expect(page.get_by_label(FIELD)).to_have_value("x@ac-poiters.fr")  # nothing changed behind their back

    notice.get_by_role("link", name="Oui, continuer avec x@ac-poitiers.fr").click()

    expect(page).to_have_url(_platform_url(site, "convergence", "x@ac-poitiers.fr"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convergence")
    expect(_notice(page)).to_contain_text("relève bien de Convergence")


ANSWERED = [
    pytest.param(
        "jeanne.martin@gmail.com",
        "Le domaine « gmail.com » n'est pas une messagerie de nos établissements.",
        id="unknown-domain",
    ),
    pytest.param("jmartin", "Un identifiant sans « @domaine » ne dit pas de quel établissement", id="bare-login"),
    pytest.param("jeanne martin", "Cette saisie ne ressemble pas à une adresse électronique.", id="invalid"),
]


@pytest.mark.parametrize(("typed", "message"), ANSWERED)
def test_what_cannot_be_routed_is_answered_on_the_page_without_javascript(js_disabled_page, typed, message):
    page = js_disabled_page
    page.goto("/")

    field = page.get_by_label(FIELD)
    field.fill(typed)
    with page.expect_response(re.compile(r"/orientation/\?identifier=")) as answer:
        field.press("Enter")

    assert answer.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver ma messagerie")
    expect(_notice(page)).to_contain_text(message)
    expect(page.get_by_label(FIELD)).to_have_value(typed)
    choices = page.get_by_role("region", name="Ou choisissez votre établissement").get_by_role("link")
    expect(choices).to_have_count(3)


# --- with JavaScript ---------------------------------------------------------------------


def test_typing_shows_a_live_hint_and_submitting_still_works(open_page, site):
    page = open_page("desktop")  # JavaScript on, the site's CSP enforced
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    api_calls = []
    page.on("request", lambda r: "/api/route" in r.url and api_calls.append(r.url))
    page.goto("/")

    field = page.get_by_label(FIELD)
    field.press_sequentially("jeanne.martin@chu-poitiers.fr")

    live = page.locator("form.route-form [role=status].live")
    expect(live).to_be_visible()
    expect(live).to_contain_text("jeanne.martin@chu-poitiers.fr relève de Exchange / Outlook")
    expect(live.get_by_role("link")).to_have_attribute(
        "href", "/plateformes/exchange/?identifier=jeanne.martin%40chu-poitiers.fr"
    )
    assert page.url == f"{site}/", "the hint must not submit the form"
    assert api_calls, "the hint came from somewhere other than /api/route"

    field.press("Enter")

    expect(page).to_have_url(_platform_url(site, "exchange", "jeanne.martin@chu-poitiers.fr"))
    expect(_notice(page)).to_contain_text("relève bien de Exchange / Outlook")
    assert not problems, f"JavaScript errors or CSP violations: {problems}"


# --- the wrong portal --------------------------------------------------------------------


@pytest.mark.parametrize(("viewport_name", "submit"), [("desktop", "Enter"), ("phone", "click")])
def test_the_wrong_portal_leads_to_the_right_one(open_page, site, viewport_name, submit):
    page = open_page(viewport_name)
    page.goto("/plateformes/zimbra/")

    section = page.get_by_role("region", name="Ce n'est pas votre messagerie ?")
    field = section.get_by_label(FIELD)
    field.fill("jeanne.martin@chu-poitiers.fr")
    if submit == "Enter":
        field.press("Enter")
    else:
        section.get_by_role("button", name="Trouver ma messagerie").click()

    expect(page).to_have_url(_platform_url(site, "exchange", "jeanne.martin@chu-poitiers.fr"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exchange / Outlook")


def test_an_address_of_another_platform_says_wrong_portal_with_one_link(open_page, site):
    page = open_page("phone")
    page.goto("/plateformes/zimbra/?identifier=x@ac-poitiers.fr")

    notice = _notice(page)
    expect(notice).to_contain_text("Mauvais portail : l'adresse x@ac-poitiers.fr relève de Convergence.")
    links = notice.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text("Aller sur Convergence")
    expect(links).to_have_attribute("href", "/plateformes/convergence/?identifier=x%40ac-poitiers.fr")

    links.click()

    expect(page).to_have_url(_platform_url(site, "convergence", "x@ac-poitiers.fr"))
    expect(_notice(page)).to_contain_text("relève bien de Convergence")
