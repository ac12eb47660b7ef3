"""Concurrency gains nothing: 32 attempts at once are evaluated as 32 in a row would be.

Threads with their own database connections, against the real row lock (SQLite's IMMEDIATE
transactions here; select_for_update when DATABASE_URL points at PostgreSQL).
"""

import pytest
from django.test import Client

from audit.models import Event
from testing import throttles
from testing.concurrency import at_once

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
STUDENT = "etudiant@etu.univ-poitiers.fr"
WORKERS = 32


def _at_once(fn, count: int = WORKERS) -> list:
    return at_once(fn, count)


def test_thirty_two_guesses_at_once_get_five_evaluations(student):
    statuses = _at_once(lambda i: sign_in(Client(), STUDENT, f"guess-{i}", ip=f"198.51.100.{i + 1}").status_code)
    evaluated = Event.objects.filter(code="accounts.signin.failure").count()
    assert evaluated == 5  # four free, the fifth sets the pause, the rest wait
    assert statuses.count(429) == WORKERS - 4
    (row,) = throttles.states("account")
    assert row.failures == row.consecutive == 5


def test_thirty_two_guesses_at_once_from_one_address_count_once_each(student):
    _at_once(lambda i: sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "x", ip="198.51.100.50").status_code)
    (row,) = throttles.states("ip")
    evaluated = Event.objects.filter(code="accounts.signin.failure").count()
    assert row.failures == evaluated  # no lost update: every evaluation was counted
    assert evaluated <= 10  # the tenth identifier blocks the address; the others were not evaluated


def test_the_owner_signing_in_amid_a_burst_is_counted_back(student):
    def attempt(i: int) -> int:
        password = None if i == 0 else f"guess-{i}"
        kwargs = {} if password is None else {"password": password}
        return sign_in(Client(), STUDENT, ip=f"203.0.113.{i + 1}", **kwargs).status_code

    _at_once(attempt, 4)
    row = next(iter(throttles.states("account")), None)
    # Either the owner came first (the ladder was cleared, then three failures) or not (three left).
    assert row is None or row.consecutive <= 3
