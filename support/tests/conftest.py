"""Personas and helpers for the support tests: a support agent signed in with a second factor,
one without, and the ticket a teacher files from a paused sign-in."""

import io

import pytest
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from accounts.models import Account
from institutions.models import Platform, Public
from support import actions

PASSWORD = "Correct-Horse-Battery-2026"


def make_account(identifier: str, public: str = "universite", **fields) -> Account:
    row = Public.objects.get(slug=public)
    return Account.objects.create_user(
        identifier, PASSWORD, institution=row.institution, public=row, platform=row.platform, **fields
    )


def with_second_factor(account: Account, client: Client | None = None) -> Client:
    """Signed in, and verified with a TOTP device as the sign-in's second step would."""
    client = client or Client()
    device = TOTPDevice.objects.create(user=account, name="app", confirmed=True)
    client.force_login(account)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(autouse=True)
def _french():
    # A request to /en/… leaves English active in the test's thread; links built in a test
    # (carried.link, reverse) must not inherit it.
    with translation.override("fr"):
        yield


@pytest.fixture
def agent(poitiers):
    return make_account("agent@univ-poitiers.fr", display_name="Agnès Agent", is_support_agent=True)


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
