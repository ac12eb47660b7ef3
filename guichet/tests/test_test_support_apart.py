"""Test support lives in the top-level testing/ package (pytest plugins loaded by the root
conftest), never inside an app, and nothing the site runs imports it: a deployment could ship
without testing/ and the site would not notice."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted({*(path.parent for path in ROOT.glob("*/apps.py")), ROOT / "guichet"})
OUTSIDE_THE_SITE = {"tests", "migrations"}


def _site_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted(app.rglob("*.py"))
        if not OUTSIDE_THE_SITE & set(path.relative_to(app).parts)
    ]


def _imports_testing(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "testing"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "testing":
            found.append(node.module or "")
    return found


def test_the_apps_are_found():
    assert {"accounts", "guichet", "notify", "sso", "status", "support", "mailconfig"} <= {app.name for app in APPS}


def test_no_app_holds_test_support():
    held = [str(path.relative_to(ROOT)) for app in APPS for path in app.glob("testing*")]
    assert held == [], "test support belongs in testing/ at the top level"


def test_nothing_the_site_runs_imports_test_support():
    offenders = {
        str(path.relative_to(ROOT)): names
        for path in _site_modules()
        if (names := _imports_testing(ast.parse(path.read_text(), str(path))))
    }
    assert offenders == {}


def test_the_check_sees_an_import_of_test_support():
    # The scan above would pass vacuously if it missed the import forms a module may use.
    for source in ("import testing.slapd", "from testing.personas import PASSWORD", "from testing import net"):
        assert _imports_testing(ast.parse(source)), source
    assert not _imports_testing(ast.parse("from .testing import x\nimport testinghelpers"))
