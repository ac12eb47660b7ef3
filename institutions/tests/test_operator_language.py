"""Operators read set-up errors and system checks in their language: French first, English
from the catalogue."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.utils import translation

from institutions.loader import SetupError, load

SHIPPED = Path(settings.GUICHET_SETUP_FILE)

pytestmark = pytest.mark.django_db


def _unknown_field(tmp_path: Path) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    path = tmp_path / "setup.yaml"
    path.write_text(text.replace("  - slug: self-service\n", "  - slug: self-service\n    colour: red\n", 1))
    return path


def test_a_loader_error_in_english(tmp_path):
    path = _unknown_field(tmp_path)
    with translation.override("en"), pytest.raises(SetupError) as caught:
        load(path)
    where = f"{path}, line {caught.value.line}, field “recovery_paths[0].colour”"
    assert str(caught.value) == f"{where}: unknown field (expected: action, delay, name, slug)"


def test_the_same_error_in_french(tmp_path):
    path = _unknown_field(tmp_path)
    with translation.override("fr"), pytest.raises(SetupError) as caught:
        load(path)
    assert "champ « recovery_paths[0].colour » : champ inconnu (attendus : action, delay, name, slug)" in str(
        caught.value
    )


def test_a_system_check_in_english(poitiers):
    with translation.override("en"):
        [warning] = [m for m in run_checks(tags=["guichet"]) if m.id == "guichet.W001" and m.obj.slug == "zimbra"]
    assert warning.msg.startswith("The webmail address “https://")
    assert warning.msg.endswith("is not confirmed.")
    assert warning.hint.startswith("Check it with the institution")
