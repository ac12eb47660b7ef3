"""How the site looks: every page at three sizes, compared with its reference; keyboard
journeys asserting where focus lands; axe-core in both themes and both languages."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from institutions.models import Portal, Public
from testing import visual
from testing.browser import AXE_JS, CHROMIUM_ARGS, ROOT, axe_check  # noqa: F401
from testing.pages import ANONYMOUS, SIGNED_IN, english
from testing.personas import PASSWORD

pytestmark = pytest.mark.browser
STUDENT = "etudiant@etu.univ-poitiers.fr"
SIZES = {"360x640": (360, 640), "768x1024": (768, 1024), "1280x800": (1280, 800)}
SHOTS = ROOT / "artifacts" / "screenshots" / "look"


@pytest.fixture
def portal(site):
    # A fixed official host, so the header reads the same whatever port the server got.
    portal = Portal.objects.get(pk=1)
    portal.host = "guichet.example.fr"
    portal.save()
    public = Public.objects.get(slug="universite")
    Account.objects.create_user(
        STUDENT, PASSWORD, institution=public.institution, public=public, platform=public.platform,
        display_name="Jeanne Martin",
    )  # fmt: skip
    return site


def _context(browser, site, size, *, scheme="light", axe=False):
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=site,
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        locale="fr-FR",
        bypass_csp=axe,
        reduced_motion="reduce",
    )
    if axe:
        context.add_init_script(path=AXE_JS)
    return context


def _sign_in(page, prefix=""):
    page.goto(f"{prefix}/login/")
    page.locator("#id_identifier").fill(STUDENT)
    page.locator("#id_identifier").press("Enter")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_looks_as_its_reference(browser, portal, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    references, problems, seen = visual.load(), [], {}
    context = _context(browser, portal, size)
    page = context.new_page()
    pages = [(name, path) for name, path in ANONYMOUS] + [("en-" + n, english(p)) for n, p in ANONYMOUS[:4]]
    for label, group in (("", pages), ("signed-", SIGNED_IN)):
        if label:
            _sign_in(page)
        for name, path in group:
            page.goto(path)
            page.wait_for_load_state("load")
            shot = SHOTS / f"{label}{name}-{size}.png"
            page.screenshot(path=shot, full_page=True, animations="disabled", caret="hide")
            key = f"{label}{name}@{size}"
            seen[key] = visual.signature(shot)
            if key not in references:
                problems.append(f"{key}: no reference")
            else:
                problems += [f"{key}: {p}" for p in visual.differences(references[key], seen[key])]
    context.close()
    if visual.updating():
        visual.save({**visual.load(), **seen})
        return
    assert not problems, "Pages differ from their references (see artifacts/screenshots/look/):\n" + "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_page_passes_axe_in_both_themes_and_languages(browser, portal, scheme, prefix):
    context = _context(browser, portal, "1280x800", scheme=scheme, axe=True)
    page = context.new_page()
    for _name, path in ANONYMOUS:
        page.goto(prefix + path)
        axe_check(page)
    _sign_in(page, prefix)
    for _name, path in SIGNED_IN:
        page.goto(prefix + path)
        axe_check(page)
    context.close()


def test_keyboard_sign_in_lands_on_each_field_in_turn(browser, portal):
    page = _context(browser, portal, "1280x800").new_page()
    page.goto("/login/")
    expect(page.locator("#id_identifier")).to_be_focused()  # no Tab needed
    page.keyboard.type(STUDENT)
    page.keyboard.press("Enter")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    # The mistake is said at the field, and the field has focus again.
    password = page.locator("#id_password")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-error capslock")
    expect(page.locator("#password-error")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
    page.keyboard.press("Enter")  # an empty password is said too, not ignored
    expect(page.locator("#password-error")).to_have_text("Saisissez votre mot de passe.")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes services")


def test_keyboard_reset_and_code_pages_start_on_their_first_field(browser, portal):
    page = _context(browser, portal, "360x640").new_page()
    page.goto("/password/reset/")
    expect(page.locator("#id_identifier")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_channel_0")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_channel_1")).to_be_checked()
    page.goto("/password/reset/code/")
    expect(page.locator("#id_identifier")).to_be_focused()


def test_keyboard_skip_link_then_the_main_content(browser, portal):
    page = _context(browser, portal, "1280x800").new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_be_focused()
    page.keyboard.press("Tab")  # the first thing in the page: the first profile's way in
    expect(page.locator(":focus")).to_have_text("Ouvrir Zimbra")


def test_a_page_prints_its_content_without_the_site_chrome(browser, portal):
    page = _context(browser, portal, "1280x800").new_page()
    page.goto("/plateformes/zimbra/")
    page.emulate_media(media="print")
    expect(page.locator(".top-actions")).to_be_hidden()
    expect(page.locator("footer.bottom")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("table.hours")).to_be_visible()  # the support hours, on paper
