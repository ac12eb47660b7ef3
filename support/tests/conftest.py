"""Personas and helpers for the support tests: a support agent signed in with a second factor,
one without, and the ticket a teacher files from a paused sign-in."""

import io

import pytest
from django.utils import translation
from PIL import Image

from institutions.models import Platform
from support import actions
from testing.personas import with_second_factor


@pytest.fixture(autouse=True)
def _french():
    # A request to /en/… leaves English active in the test's thread; links built in a test
    # (carried.link, reverse) must not inherit it.
    with translation.override("fr"):
        yield


@pytest.fixture
def agent_client(agent):
    return with_second_factor(agent)


def png_bytes(size=(40, 30), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save)
    return out.getvalue()


def file_ticket(**overrides):
    values = {
        "identifier": "jeanne.martin@ac-poitiers.fr",
        "nature": "bouton-sans-effet",
        "contact_channel": "email",
        "contact": "jeanne.perso@example.org",
        "language": "fr",
        "platform": Platform.objects.get(slug="convergence"),
        "description": "« Se connecter » ne fait rien.",
        "limit": False,
    }
    values.update(overrides)
    return actions.open_ticket(**values)
