"""Throttling through /login/, as an attacker and as the real person would meet it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import passwords
from audit.models import Event
from testing import throttles
from testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"


def _fail(client, identifier, times, ip="192.0.2.10", prefix="wrong"):
    return [sign_in(client, identifier, f"{prefix}-{i}", ip=ip) for i in range(times)]


_end_pauses = throttles.end_pauses


def test_the_fifth_failure_pauses_and_says_until_when(client, student):
    responses = _fail(client, STUDENT, 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    html = responses[-1].content.decode()
    until = timezone.localtime(throttles.account(STUDENT).paused_until)
    assert f"suspendue jusqu&#x27;à {until:%H:%M}" in html or f"suspendue jusqu'à {until:%H:%M}" in html
    assert 'href="/password/reset/"' in html
    assert Event.objects.filter(code="accounts.signin.paused", subject=student).exists()


def test_the_person_is_warned_before_the_pause(client, student):
    responses = _fail(client, STUDENT, 4)
    assert "encore 2 essais" in responses[2].content.decode()
    assert "encore 1 essai " in responses[3].content.decode()


def test_the_right_password_is_refused_while_paused(client, student):
    _fail(client, STUDENT, 5)
    response = sign_in(client, STUDENT, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_pause_ends_by_itself(client, student):
    _fail(client, STUDENT, 5)
    _end_pauses()
    assert sign_in(client, STUDENT, PASSWORD)["Location"] == "/services/"


def test_the_same_wrong_password_typed_again_is_not_recounted(client, student):
    for _ in range(8):
        response = sign_in(client, STUDENT, "the-same-mistake")
    assert response.status_code == 200
    assert throttles.account(STUDENT).failures == 1


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_an_unknown_identifier_gets_the_identical_paused_page(client, student):
    _fail(client, STUDENT, 5)
    _fail(client, "personne@etu.univ-poitiers.fr", 5)
    throttles.edit("account", paused_until=timezone.now() + timedelta(minutes=3))
    known = sign_in(client, STUDENT, PASSWORD)
    unknown = sign_in(client, "personne@etu.univ-poitiers.fr", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())


def test_a_completed_password_reset_ends_the_pause(client, student):
    _fail(client, STUDENT, 5)
    passwords.set_password(None, student, "A-brand-new-passphrase", reason="reset")
    assert sign_in(client, STUDENT, "A-brand-new-passphrase")["Location"] == "/services/"


def test_an_ip_spraying_many_accounts_is_blocked_not_the_accounts(client, student):
    for i in range(10):
        sign_in(client, f"victim{i}@etu.univ-poitiers.fr", "Printemps2026", ip="198.51.100.7")
    blocked = sign_in(client, STUDENT, "Printemps2026", ip="198.51.100.7")
    assert blocked.status_code == 429 and "votre réseau" in blocked.content.decode()
    # The blocked address's attempts no longer count against the account…
    for i in range(10):
        sign_in(client, STUDENT, f"guess-{i}", ip="198.51.100.7")
    assert not [s for s in throttles.states("account") if s.failures and s.paused_until]
    # …and the real person, elsewhere, signs in.
    response = sign_in(client, STUDENT, PASSWORD, ip="203.0.113.5")
    assert response.status_code == 302, response.content.decode()[-1500:]


def test_no_permanent_lockout(client, student):
    for round_ in range(6):
        _fail(client, STUDENT, 5 if round_ == 0 else 1, prefix=f"round{round_}")
        _end_pauses()
    assert throttles.account(STUDENT).failures > 5
    assert sign_in(client, STUDENT, PASSWORD)["Location"] == "/services/"
    assert not throttles.exists("account")  # success forgets the failures


def test_throttle_rows_never_hold_what_was_typed(client, student):
    _fail(client, STUDENT, 3)
    text = throttles.stored_text()
    assert len(throttles.states()) == 2  # the account's and the address's
    assert STUDENT not in text and "wrong-" not in text and "192.0.2.10" not in text
