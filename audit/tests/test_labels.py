"""audit.labels gathers each app's events.LABELS by module path and shows them translated."""

import sys
import types

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy

from audit import labels
from notify import events as notify_events


@pytest.fixture(autouse=True)
def _fresh_labels():
    labels.clear_cache()
    yield
    labels.clear_cache()


def test_a_known_code_gets_its_app_label_in_the_active_language():
    with translation.override("fr"):
        assert labels.label(notify_events.MESSAGE_SENT) == "Message envoyé"
    with translation.override("en"):
        assert labels.label(notify_events.MESSAGE_SENT) == "Message sent"


def test_an_unknown_code_is_shown_as_itself():
    assert labels.label("nobody.knows.this") == "nobody.knows.this"


def test_labels_come_from_every_installed_app_that_has_an_events_module(monkeypatch):
    # An app of its own, with an events module found by its path only.
    module = types.ModuleType("audit.events")
    module.LABELS = {"audit.test.thing": gettext_lazy("Une chose")}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "audit.events", module)
    assert labels.label("audit.test.thing") == "Une chose"
    # Apps without one (django.contrib.admin) are skipped, not an error.
    assert apps.get_app_config("admin") and labels.label("admin.nothing") == "admin.nothing"


def test_the_labels_are_gathered_once(monkeypatch):
    labels.label("x.y")
    calls = []
    monkeypatch.setattr(labels.importlib, "import_module", lambda name: calls.append(name))
    labels.label(notify_events.MESSAGE_SENT)
    assert calls == []
