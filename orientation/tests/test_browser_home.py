"""The home page in a real browser: the way in is on screen at once, the page is light and
self-contained, and each profile reaches its platform's page in one click."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIGNIN_PAGES = [
    pytest.param("home", "/", id="home"),
    pytest.param("platform", "/plateformes/zimbra/", id="platform"),
]


@pytest.mark.parametrize(("label", "path"), SIGNIN_PAGES)
def test_signin_is_inside_the_first_viewport(viewport_page, label, path, screenshot):
    page = viewport_page
    assert page.goto(path).status == 200
    signin = page.get_by_role("link", name="Se connecter", exact=True)
    expect(signin).to_be_visible()

    assert page.evaluate("window.scrollY") == 0, "the page scrolled before the check"
    box = signin.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert 0 <= box["y"] <= size["height"] - box["height"], f"not fully in the first screen: {box}, {size}"
    assert 0 <= box["x"] <= size["width"] - box["width"], f"not fully in the first screen: {box}, {size}"
    # Nothing wider than the phone: no horizontal scrolling either.
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    screenshot(page, label)


def test_home_is_light_and_only_talks_to_the_site(open_page, site):
    page = open_page("phone")
    requests = []
    page.on("request", lambda r: requests.append(r))

    response = page.goto("/", wait_until="load")

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    size = len(response.body())
    assert size < 50 * 1024, f"home page HTML is {size} bytes"

    urls = [r.url for r in requests]
    assert any(u.endswith("/guichet/site.css") for u in urls), urls  # the recorder saw the page load
    ours = urlsplit(site).netloc
    foreign = [u for u in urls if urlsplit(u).netloc != ours]
    assert not foreign, f"requests to other hosts: {foreign}"

    fonts = [r.url for r in requests if r.resource_type == "font"]
    assert not fonts, f"web fonts loaded: {fonts}"
    assert page.evaluate("document.fonts.size") == 0, "a @font-face is declared"


PROFILES = [
    pytest.param("Je suis étudiant ou étudiante", "zimbra", "Zimbra", id="student"),
    pytest.param("Je suis enseignant ou personnel académique", "convergence", "Convergence", id="teacher"),
    pytest.param("Je travaille au CHU", "exchange", "Exchange / Outlook", id="hospital"),
]


@pytest.mark.parametrize(("profile", "slug", "name"), PROFILES)
def test_each_profile_card_leads_straight_to_its_webmail_and_to_help(viewport_page, site, profile, slug, name):
    page = viewport_page
    page.goto("/")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=profile, exact=True))
    # One interaction to the way in: the webmail itself (another host: checked, not followed).
    open_webmail = card.get_by_role("link", name=f"Ouvrir {name}", exact=True)
    expect(open_webmail).to_have_count(1)
    expect(open_webmail).to_have_attribute("href", re.compile(r"^https://webmail\.[a-z.-]+/"))
    # The page also says which to use: the webmail or Guichet's own sign-in.
    expect(page.locator("#webmail-ou-guichet")).to_contain_text("« Se connecter »")

    card.get_by_role("link", name=f"Aide pour {name}", exact=True).click()

    expect(page).to_have_url(f"{site}/plateformes/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("link", name=f"Ouvrir {name}", exact=True)).to_be_visible()
