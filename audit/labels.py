"""Readable labels for audit codes, gathered from every installed app's `events.LABELS`.

Audit is a low floor: it may not import the apps above it. Each app keeps its codes and
their labels in `<app>/events.py`; this module finds them by module path at first use, so
the dependency runs from the registry to the app by name only, never by an import here.
"""

import importlib
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def label(code: str) -> str:
    """The label of `code` in the active language; an unknown code is shown as itself."""
    found = _labels().get(code)
    return str(found) if found is not None else code


@cache
def _labels() -> "Mapping[str, StrOrPromise]":
    # Lazy labels are kept lazy: the language is chosen when `label` renders one.
    collected: dict[str, StrOrPromise] = {}
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.events"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise  # the module exists but is broken: say so rather than show raw codes
            continue
        collected.update(getattr(module, "LABELS", {}))
    return collected


def clear_cache() -> None:
    """Forget the gathered labels (tests that install an app mid-run)."""
    _labels.cache_clear()
