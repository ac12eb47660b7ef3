"""The house rules a reader relies on (issue 16): every app module can be read in one sitting,
every function fits on a screen, and mypy strict runs in `make test`."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
ROOT = Path(settings.BASE_DIR)


def _app_modules() -> list[Path]:
    # Application code only: tests, migrations and test support (testing/) are not read by
    # someone entering the house, and migrations are generated.
    modules = []
    for config in apps.get_app_configs():
        folder = Path(config.path)
        if not folder.is_relative_to(ROOT) or ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"tests", "migrations", "testing"}:
                continue
            modules.append(path)
    return sorted(modules)


def test_the_rule_sees_every_app():
    names = {path.relative_to(ROOT).parts[0] for path in _app_modules()}
    assert {"accounts", "recovery", "sso", "institutions", "support", "status", "ops"} <= names


def test_no_app_module_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in _app_modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_over_60_lines():
    long = {}
    for path in _app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}


def test_make_test_runs_mypy_strict():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "mypy $(TYPED)" in recipe
    typed = set(makefile.split("\nTYPED := ", 1)[1].split("\n", 1)[0].split())
    local_apps = {path.relative_to(ROOT).parts[0] for path in _app_modules()}
    assert local_apps | {"testing"} <= typed
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "strict = true" in pyproject
