"""Accessibility in a real browser: axe-core finds nothing on any page, on a phone and on a
desktop, and the main path works with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from testing.browser import axe_check

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/orientation/", 200, id="route-empty"),
    pytest.param("/orientation/?identifier=x%40ac-poiters.fr", 200, id="route-suggestion"),
    pytest.param("/orientation/?identifier=jeanne.martin%40gmail.com", 200, id="route-unknown-domain"),
    pytest.param("/orientation/?identifier=jmartin", 200, id="route-bare-login"),
    pytest.param("/orientation/?identifier=jeanne+martin", 200, id="route-invalid"),
    pytest.param("/plateformes/convergence/", 200, id="convergence"),
    pytest.param("/plateformes/convergence/?identifier=jeanne.martin%40ac-poitiers.fr", 200, id="convergence-matched"),
    pytest.param("/plateformes/zimbra/", 200, id="zimbra"),
    pytest.param("/plateformes/zimbra/?identifier=jeanne.martin%40etu.univ-poitiers.fr", 200, id="zimbra-matched"),
    pytest.param("/plateformes/zimbra/?identifier=x%40ac-poitiers.fr", 200, id="zimbra-wrong-portal"),
    pytest.param("/plateformes/exchange/", 200, id="exchange"),
    pytest.param("/plateformes/exchange/?identifier=jeanne.martin%40chu-poitiers.fr", 200, id="exchange-matched"),
    pytest.param("/accessibilite/", 200, id="accessibility"),
    pytest.param("/plateformes/inconnue/", 404, id="not-found"),
    pytest.param("/en/", 200, id="en-home"),
    pytest.param("/en/plateformes/zimbra/", 200, id="en-zimbra"),
]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_axe_finds_no_violation(axe_page, path, status):
    response = axe_page.goto(path)
    assert response.status == status
    axe_check(axe_page)


def test_axe_finds_no_violation_with_the_live_hint_shown(axe_page):
    axe_page.goto("/")
    axe_page.get_by_label("Votre adresse ou identifiant").press_sequentially("x@ac-poiters.fr")
    expect(axe_page.locator("form.route-form .live")).to_contain_text("Vouliez-vous dire x@ac-poitiers.fr ?")
    axe_check(axe_page)


# --- keyboard only -----------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  const r = e.getBoundingClientRect();
  return {
    id: e.id,
    text: (e.innerText || e.value || "").replace(/\\s+/g, " ").trim(),
    where: e.closest("header") ? "header" : e.closest("main") ? "main" : e.closest("footer") ? "footer" : "",
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    outline: getComputedStyle(e).outlineStyle,
  };
}"""


def _tab(page):
    """Press Tab; return what has the focus, which must be on screen and visibly outlined."""
    page.keyboard.press("Tab")
    focused = page.evaluate(_FOCUSED)
    assert focused["onScreen"], f"focus went off screen: {focused}"
    assert focused["outline"] != "none", f"focus is not visible: {focused}"
    return focused


def test_tab_from_the_top_reaches_the_skip_link_first_then_signin(open_page, site):
    page = open_page("desktop")
    page.goto("/")

    first = _tab(page)
    assert first["text"] == "Aller au contenu", first

    path = []
    for _ in range(5):
        focused = _tab(page)
        path.append(focused)
        if focused["text"] == "Se connecter":
            break
    assert path[-1]["text"] == "Se connecter", f"not reached in 5 Tab presses: {path}"
    assert all(f["where"] == "header" for f in path), path

    target = page.get_by_role("link", name="Se connecter", exact=True).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}{target}")


def test_the_skip_link_moves_the_focus_to_the_content(open_page):
    page = open_page("desktop")
    page.goto("/")

    assert _tab(page)["text"] == "Aller au contenu"
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "contenu"
    after = _tab(page)
    assert after["where"] == "main", f"Tab after the skip link left the content: {after}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_alone_routes_from_home_to_the_platform(open_page, site, javascript):
    page = open_page("desktop", javascript=javascript)
    page.goto("/")

    seen = []
    while len(seen) < 30 and (not seen or seen[-1]["id"] != "identifier"):
        seen.append(_tab(page))
    assert seen[-1]["id"] == "identifier", f"routing field not reached by Tab: {[f['text'] for f in seen]}"

    page.keyboard.type("jeanne.martin@etu.univ-poitiers.fr")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}/plateformes/zimbra/?identifier=jeanne.martin%40etu.univ-poitiers.fr")
    expect(page.locator(".notice[role=status]")).to_contain_text("relève bien de Zimbra")
    # The page reached starts over from the top: its first Tab is its skip link again.
    assert _tab(page)["text"] == "Aller au contenu"
