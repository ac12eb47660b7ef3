"""The lower floors (institutions < audit < notify < accounts) name nothing above them.

No import of an upper app's module, no upper app's URL name in a `reverse`, a `redirect`, a
route list or a `{% url %}`, no upper app's template included: the upper apps register what
accounts needs in accounts.destinations, in their AppConfig.ready().
"""

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import destinations

ROOT = Path(__file__).resolve().parents[2]
LOWER = ["institutions", "audit", "notify", "accounts"]
UPPER = ["recovery", "sso", "orientation", "ops", "support", "mailconfig", "status", "guichet"]
ROUTING_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url", "resolve"}
URL_TAG = re.compile(r"""{%\s*url\s+["']([^"']+)["']""")
TEMPLATE_TAG = re.compile(r"""{%\s*(?:extends|include)\s+["']([^"']+)["']""")
SKIPPED = {"tests", "testing", "migrations"}


def _names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, inner)
        elif pattern.name:
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield namespace + pattern.name, view.__module__.split(".")[0]


def _route_owners() -> dict[str, str]:
    return dict(_names(get_resolver().url_patterns))


def _upper_routes() -> set[str]:
    return {name for name, app in _route_owners().items() if app in UPPER}


def _files(suffixes: tuple[str, ...]) -> Iterator[Path]:
    for app in LOWER:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in suffixes and not SKIPPED & set(path.relative_to(ROOT / app).parts):
                yield path


def _upper_module(name: str) -> bool:
    return name.split(".")[0] in UPPER


def _is_module(dotted: str) -> bool:
    # Dotted strings are often codes (« recovery.password_changed », « guichet.reauth_at »):
    # only a real module counts.
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def _python_findings(path: Path, upper_routes: set[str]) -> Iterator[str]:
    tree = ast.parse(path.read_text(), str(path))
    routed = {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ROUTING_CALLS
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (f"imports {a.name}" for a in node.names if _upper_module(a.name))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module and _upper_module(node.module):
            yield f"imports {node.module}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            # Plain words (« home », « services ») are route names only where a route is
            # asked for; hyphenated or namespaced ones (« password-reset ») anywhere.
            if text in upper_routes and (id(node) in routed or "-" in text or ":" in text):
                yield f"names the route {text!r}"
            elif re.fullmatch(r"\w+(\.\w+)+", text) and _upper_module(text) and _is_module(text):
                yield f"names the module {text!r}"


def test_lower_apps_import_and_route_nothing_above_them():
    upper_routes = _upper_routes()
    assert {"services", "password-reset", "oidc-authorize", "home"} <= upper_routes  # the scan sees them
    findings = [
        f"{path.relative_to(ROOT)}:{finding}"
        for path in _files((".py",))
        for finding in _python_findings(path, upper_routes)
    ]
    assert findings == []


def test_lower_apps_templates_link_to_nothing_above_them():
    upper_routes = _upper_routes()
    # The site's frame (base.html, the error pages) is the project's, for every app.
    frame = {Path(d).resolve() for d in settings.TEMPLATES[0]["DIRS"]}
    upper_templates = {
        child.name
        for app in UPPER
        if (ROOT / app / "templates").is_dir() and (ROOT / app / "templates").resolve() not in frame
        for child in (ROOT / app / "templates").iterdir()
    }
    findings = []
    for path in _files((".html", ".txt")):
        text = path.read_text()
        findings += [f"{path.relative_to(ROOT)}: url {n}" for n in URL_TAG.findall(text) if n in upper_routes]
        findings += [
            f"{path.relative_to(ROOT)}: template {t}"
            for t in TEMPLATE_TAG.findall(text)
            if t.split("/")[0] in upper_templates
        ]
    assert findings == []


def test_the_scan_would_see_a_route_or_an_import_from_above(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sso import views\n"
        "import recovery.actions\n"
        "ROUTES = {'support-desk'}\n"
        "def f(request):\n"
        "    return redirect('services')\n"
        "PLAIN = 'services'  # a word, not a route\n"
    )
    found = list(_python_findings(sample, _upper_routes()))
    assert found == [
        "imports sso",
        "imports recovery.actions",
        "names the route 'support-desk'",
        "names the route 'services'",
    ]


def test_every_registered_destination_is_a_real_route():
    post_login, offsite, named = destinations.registered()
    routes = _route_owners()
    assert offsite <= post_login
    assert sorted(name for name in post_login | set(named.values()) if name not in routes) == []
    # accounts' own pages excepted, each app registers only its own routes.
    assert {routes[name] for name in post_login} >= {"sso", "recovery", "orientation"}
    assert set(named) == {
        destinations.SERVICES,
        destinations.PASSWORD_RESET,
        destinations.HOME,
        destinations.INSTITUTION_LOGO,
    }


def test_the_registry_gives_the_upper_apps_pages():
    assert destinations.url(destinations.SERVICES) == reverse("services")
    assert destinations.url(destinations.PASSWORD_RESET) == reverse("password-reset")
    assert destinations.url(destinations.INSTITUTION_LOGO, "poitiers") == "/identite/poitiers.svg"
    assert destinations.leaves_guichet("oidc-authorize") and not destinations.leaves_guichet("services")
    with pytest.raises(Exception, match="no app registered"):
        destinations.url("nowhere")


@pytest.mark.parametrize(
    "name",
    [
        "notify/email/new_device.subject.txt",
        "notify/email/new_device.txt",
        "notify/email/new_device.html",
        "notify/sms/new_device.txt",
    ],
)
def test_accounts_owns_the_messages_it_sends(name):
    # notify, the lowest floor that sends, keeps only its own; the name stays the same.
    origin = Path(get_template(name).origin.name).resolve()
    assert origin.is_relative_to(ROOT / "accounts" / "templates")


def test_one_fresh_password_guard():
    # Pages redirect through accounts.decorators.require_fresh_password; the passkey API,
    # which answers JSON, asks the same question and answers with a code.
    callers = sorted(
        str(path.relative_to(ROOT))
        for app in [*LOWER, *UPPER]
        for path in (ROOT / app).rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT / app).parts) and "has_fresh_password(" in path.read_text()
    )
    assert callers == ["accounts/actions/factors.py", "accounts/decorators.py", "accounts/views/passkeys.py"]
