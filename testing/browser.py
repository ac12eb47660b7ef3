"""The browser test layer: pytest-playwright on Debian's Chromium against Django's live server.

Loaded from the root conftest (`pytest_plugins`). What it gives the tests:

- `site`: the live server's URL, with the Poitiers set-up loaded (transactional database:
  the server thread must see the rows);
- `open_page(viewport, javascript=True, bypass_csp=False)`: a new page in its own context,
  on the "phone" (360x640, touch) or "desktop" (1280x800) viewport, relative URLs resolved
  against `site`. The site's CSP (`script-src 'self'`) stays enforced unless a test asks
  for `bypass_csp`, which only axe injection needs;
- `viewport` (parametrized: phone, desktop), `viewport_page`, `js_disabled_page`, and
  `axe_page` (CSP bypassed, axe-core present, shared by the axe tests of a viewport);
- `axe_check(page)`: axe-core's WCAG 2.x A/AA and best-practice rules, zero violations;
- `screenshot(page, label="")`: artifacts/screenshots/<test-name>[-<label>]-<viewport>.png.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API keeps an event loop in the main thread; without this Django refuses
# ORM calls from the test (loading the set-up) as if they came from async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 360, "height": 640},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_VIEWPORT_OF_PAGE = "_guichet_viewport"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; quiet, no network of its own."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args():
    # Every context is described by `open_page` (viewport, JavaScript, CSP, base URL), so
    # --base-url and --device are not taken; --tracing and --screenshot still work.
    return {}


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's URL, serving the shipped Poitiers set-up."""
    from django.conf import settings

    from institutions.loader import load

    load(settings.GUICHET_SETUP_FILE)
    return live_server.url


@pytest.fixture
def open_page(new_context, site) -> Callable[..., Any]:
    """open_page("phone" | "desktop", javascript=True, bypass_csp=False) -> a new Page."""

    def _open(viewport: str = "desktop", *, javascript: bool = True, bypass_csp: bool = False):
        context = new_context(
            base_url=site,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale="fr-FR",
            **VIEWPORTS[viewport],
        )
        page = context.new_page()
        setattr(page, _VIEWPORT_OF_PAGE, viewport)
        return page

    return _open


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return str(request.param)


@pytest.fixture
def viewport_page(open_page, viewport):
    """A page with JavaScript on and the CSP enforced, once per viewport."""
    return open_page(viewport)


@pytest.fixture
def js_disabled_page(open_page):
    """A desktop page with JavaScript off: the plain HTML path every form must keep."""
    return open_page("desktop", javascript=False)


@pytest.fixture(scope="session")
def _axe_pages(browser, live_server):
    """One page per viewport for the axe checks, kept for the whole session.

    A fresh context costs a renderer process and a fresh compile of axe-core's 600 KB,
    about a second a page; a kept page navigates and checks in a fifth of that. The
    context bypasses the CSP and runs axe-core at the start of every document.
    """
    pages: dict[str, Any] = {}

    def get(viewport: str):
        page = pages.get(viewport)
        if page is None or page.is_closed():
            context = browser.new_context(
                base_url=live_server.url, bypass_csp=True, locale="fr-FR", **VIEWPORTS[viewport]
            )
            context.add_init_script(path=AXE_JS)
            page = pages[viewport] = context.new_page()
            setattr(page, _VIEWPORT_OF_PAGE, viewport)
        return page

    yield get
    for page in pages.values():
        page.context.close()


@pytest.fixture
def axe_page(_axe_pages, site, viewport):
    """A page ready for `axe_check` (CSP bypassed, axe-core present), once per viewport.

    The page is shared by the axe tests of a viewport: navigate first, and add no event
    listeners to it (they would outlive the test). Cookies are cleared before each test
    and the page left on about:blank after it.
    """
    page = _axe_pages(viewport)
    page.context.clear_cookies()
    yield page
    if not page.is_closed():
        page.goto("about:blank")


def axe_check(page, *, tags=AXE_TAGS) -> None:
    """Run axe-core on the page as it stands; fail with a readable list of violations."""
    # After a click that navigates, the new document may still be loading its stylesheet:
    # judged unstyled, every link would fail target-size. Wait for the page to be complete.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        try:
            page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
        except PlaywrightError as error:
            raise AssertionError(
                "axe-core could not be injected; the site's CSP forbids inline scripts, so open "
                f"the page with bypass_csp=True (the `axe_page` fixture). {error.message}"
            ) from error
    violations = page.evaluate(
        "options => axe.run(document, options).then(results => results.violations)",
        {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]},
    )
    if violations:
        raise AssertionError(_describe(page.url, violations))


def _describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} rule(s) violated on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:10]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {', '.join(map(str, node['target']))}: {summary[:300]}")
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more element(s)")
    return "\n".join(lines)


def viewport_name(page) -> str:
    name = getattr(page, _VIEWPORT_OF_PAGE, None)
    if name:
        return str(name)
    size = page.viewport_size or {}
    return f"{size.get('width')}x{size.get('height')}"


@pytest.fixture
def screenshot(request) -> Callable[..., Path]:
    """screenshot(page, label="", full_page=False) -> the path of the PNG written."""

    def _shoot(page, label: str = "", *, full_page: bool = False) -> Path:
        parts = [request.node.originalname, label, viewport_name(page)]
        name = "-".join(re.sub(r"[^A-Za-z0-9_.]+", "_", part).strip("_") for part in parts if part)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    return _shoot
