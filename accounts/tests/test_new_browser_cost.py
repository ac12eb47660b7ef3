"""A browser's first sign-in: its device cookie is made in this very request, so the
known-browser row is written without being looked for first (issue 15: no statement that
cannot find anything), and the person is still told by mail, once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.actions.signin import DEVICE_COOKIE
from accounts.models import KnownDevice
from notify.models import Message

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"


def _device_statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries if '"accounts_knowndevice"' in q["sql"]]


def test_a_first_visit_inserts_its_device_without_looking_for_it(student):
    browser = Client()
    with CaptureQueriesContext(connection) as ctx:
        assert sign_in(browser, STUDENT)["Location"] == "/services/"
    assert _device_statements(ctx) == ["INSERT"]
    assert DEVICE_COOKIE in browser.cookies and KnownDevice.objects.filter(account=student).count() == 1
    assert Message.objects.filter(purpose="accounts.new_device").count() == 1


def test_a_cookie_another_account_made_is_looked_up_then_recorded_for_this_one(student, teacher):
    browser = Client()
    sign_in(browser, teacher.identifier)
    browser.post("/logout/")
    with CaptureQueriesContext(connection) as ctx:
        assert sign_in(browser, STUDENT)["Location"] == "/services/"
    assert "INSERT" in _device_statements(ctx) and "SELECT" in _device_statements(ctx)
    assert KnownDevice.objects.filter(account=student).count() == 1
    assert Message.objects.filter(purpose="accounts.new_device", account=student).count() == 1
