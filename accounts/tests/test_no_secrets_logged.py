"""No password or code ever reaches a log line or the audit log."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Event

from .conftest import sign_in

pytestmark = pytest.mark.django_db
SECRET = "Un-Mot-De-Passe-Tres-Secret-42"


def test_no_log_record_of_a_sign_in_contains_the_password(client, student, caplog, settings):
    settings.DEBUG = False
    with caplog.at_level(logging.DEBUG):
        sign_in(client, "etudiant@etu.univ-poitiers.fr", SECRET)  # wrong password
        sign_in(client, SECRET, SECRET, institution="univ-poitiers")  # typed into the identifier field
        student.set_password(SECRET)
        student.save()
        sign_in(client, "etudiant@etu.univ-poitiers.fr", SECRET)  # right password
    assert caplog.records, "the sign-in logged nothing at all: the test would prove nothing"
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET.lower() not in record.getMessage().lower()


def test_the_audit_log_never_holds_what_was_typed(client, student):
    sign_in(client, "etudiant@etu.univ-poitiers.fr", SECRET)
    sign_in(client, SECRET, SECRET, institution="univ-poitiers")
    rows = list(Event.objects.values())
    assert len(rows) >= 2
    text = str(rows).lower()
    assert SECRET.lower() not in text
    assert SECRET[:10].lower() not in text  # not even the start of it


def test_no_query_stores_the_password_in_clear(client, student):
    with CaptureQueriesContext(connection) as queries:
        sign_in(client, "etudiant@etu.univ-poitiers.fr", SECRET)
    assert not any(SECRET in str(q["sql"]) for q in queries)
