"""The audit codes of support and of status (which support reads): one constant each, each
with its label in both languages."""

from importlib import import_module

import pytest
from django.utils import translation


@pytest.mark.parametrize("app", ["support", "status"])
def test_every_code_has_a_label_and_every_label_a_code(app):
    events = import_module(f"{app}.events")
    codes = {value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)}
    assert codes == set(events.LABELS)
    assert all(code.startswith(f"{app}.") for code in codes)


@pytest.mark.parametrize("app", ["support", "status"])
def test_the_labels_read_in_english_on_english_pages(app):
    labels = import_module(f"{app}.events").LABELS
    with translation.override("en"):
        english = {code: str(label) for code, label in labels.items()}
    with translation.override("fr"):
        french = {code: str(label) for code, label in labels.items()}
    assert all(english[code] != french[code] for code in labels)
