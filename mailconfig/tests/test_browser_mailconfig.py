"""Mail-client pages in a real browser, on a phone and on a desktop: axe-core finds nothing,
the journeys work with the keyboard and without JavaScript."""

import pytest
from playwright.sync_api import expect

from institutions.models import Platform
from testing.browser import axe_check
from testing.net import free_port

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param("/messagerie/clients/", id="clients"),
    pytest.param("/messagerie/clients/zimbra/", id="zimbra"),
    pytest.param("/messagerie/clients/exchange/", id="exchange"),
    pytest.param("/en/messagerie/clients/convergence/", id="en-convergence"),
]


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation(axe_page, path):
    assert axe_page.goto(path).status == 200
    axe_check(axe_page)


def _closed_port_platform() -> None:
    """Point Zimbra's settings at a closed loopback port: the test's answer is immediate."""
    zimbra = Platform.objects.get(slug="zimbra")
    port = free_port()
    zimbra.mail_servers = {
        **zimbra.mail_servers,
        "incoming": [{"protocol": "imap", "host": "127.0.0.1", "port": port, "security": "tls"}],
        "outgoing": [{"protocol": "smtp", "host": "127.0.0.1", "port": port, "security": "starttls"}],
    }
    zimbra.save()


def test_a_person_on_a_phone_tests_the_connection_and_decodes_an_error(viewport_page, screenshot):
    page = viewport_page
    _closed_port_platform()
    assert page.goto("/messagerie/clients/zimbra/").status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # no sideways scroll
    screenshot(page, "settings", full_page=True)
    page.get_by_role("button", name="Tester ma connexion").click()
    expect(page.get_by_role("status").first).to_contain_text("Un problème a été trouvé du côté des serveurs.")
    expect(page.locator("ul.probe").first).to_contain_text("refuse la connexion")
    assert page.url.endswith("/messagerie/clients/zimbra/test/#tester")
    page.get_by_label("Collez le message affiché par votre logiciel").fill(
        "Impossible de relever le courrier : Le nom d’utilisateur ou le mot de passe pour « imap » est incorrect."
    )
    page.get_by_role("button", name="Expliquer ce message").click()
    expect(page.locator("#erreur")).to_contain_text("Le serveur refuse l'identifiant ou le mot de passe.")
    screenshot(page, "decoded")


def test_results_pages_have_no_axe_violation(axe_page):
    _closed_port_platform()
    axe_page.goto("/messagerie/clients/zimbra/")
    axe_page.get_by_role("button", name="Tester ma connexion").click()
    expect(axe_page.locator("ul.probe").first).to_be_visible()
    axe_check(axe_page)
    axe_page.get_by_label("Collez le message affiché par votre logiciel").fill("Relay access denied")
    axe_page.get_by_role("button", name="Expliquer ce message").click()
    expect(axe_page.locator("#erreur .notice")).to_be_visible()
    axe_check(axe_page)


def test_the_values_can_be_copied_with_the_keyboard(open_page, site):
    page = open_page("desktop")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.goto("/messagerie/clients/zimbra/")
    button = page.get_by_role("button", name="Copier imap.univ-poitiers.fr")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text("Copié")
    assert page.evaluate("navigator.clipboard.readText()") == "imap.univ-poitiers.fr"


def test_without_javascript_the_table_the_guides_and_the_test_still_work(js_disabled_page):
    page = js_disabled_page
    _closed_port_platform()
    page.goto("/messagerie/clients/zimbra/")
    expect(page.get_by_role("button", name="Copier imap.univ-poitiers.fr")).to_have_count(0)
    expect(page.locator("details.guide[open]")).to_have_count(1)
    page.get_by_text("Apple Mail sur Mac").click()
    expect(page.locator("#guide-apple-macos")).to_have_attribute("open", "")
    page.get_by_role("button", name="Tester ma connexion").click()
    expect(page.locator("ul.probe").first).to_contain_text("refuse la connexion")


@pytest.mark.parametrize("path", ["/plateformes/zimbra/", "/messagerie/clients/", "/en/messagerie/clients/exchange/"])
def test_the_settings_fit_the_screen(viewport_page, screenshot, path):
    page = viewport_page
    assert page.goto(path).status == 200
    expect(page.locator("table.mail-settings").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, path.strip("/").replace("/", "-"), full_page=True)


def test_english_results_are_in_english(open_page):
    page = open_page("phone")
    _closed_port_platform()
    page.goto("/en/messagerie/clients/zimbra/")
    page.get_by_role("button", name="Test my connection").click()
    expect(page.locator("ul.probe").first).to_contain_text("refuses connections")
    assert "serveur" not in page.locator("#tester").inner_text()
