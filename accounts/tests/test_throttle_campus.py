"""Throttling that knows a campus (issue 10, findings 4 to 7): trusted browsers, the hard cap,
IPv6 /64, institution networks slowed and never blocked, an unknown identifier as dear as a real one."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from accounts import throttle
from accounts.actions import throttling
from accounts.models import Account
from audit.models import Event
from testing import throttles
from testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"
CAMPUS = "192.0.2.200"  # inside the shipped placeholder network 192.0.2.192/26
OUTSIDE = "198.51.100.7"


def _trusted_browser(ip="203.0.113.20") -> Client:
    """A browser that signed in to the student's account once, then signed out."""
    browser = Client()
    assert sign_in(browser, STUDENT, ip=ip)["Location"] == "/services/"
    assert browser.cookies.get("guichet_device")
    browser.post("/logout/")
    return browser


def _aged_pace(ip: str, seconds: float) -> str:
    """A form shown `seconds` ago to that address (what a person typing a password sends)."""
    payload = {"a": throttle.address_key(ip), "t": time.time() - seconds, "n": f"test-{time.monotonic_ns()}"}
    return signing.dumps(payload, salt=throttling.PACE_SALT, compress=False)


def test_a_trusted_browser_is_not_paused_by_failures_from_elsewhere(student):
    owner = _trusted_browser()
    attacker = Client()
    for i in range(8):
        sign_in(attacker, STUDENT, f"guess-{i}", ip=f"198.51.100.{i + 1}")
    assert sign_in(attacker, STUDENT, ip="198.51.100.99").status_code == 429  # the attacker is paused
    assert sign_in(owner, STUDENT)["Location"] == "/services/"  # the owner is not


def test_a_trusted_browser_is_not_refused_by_a_blocked_address(student):
    owner = _trusted_browser(ip=OUTSIDE)
    for i in range(10):
        sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "Printemps2026", ip=OUTSIDE)
    assert sign_in(Client(), STUDENT, ip=OUTSIDE).status_code == 429  # the address is blocked
    assert sign_in(owner, STUDENT, ip=OUTSIDE)["Location"] == "/services/"


def test_a_trusted_browsers_own_failures_pause_only_itself(student):
    owner = _trusted_browser()
    for i in range(5):
        sign_in(owner, STUDENT, f"typo-{i}")
    assert sign_in(owner, STUDENT).status_code == 429
    assert not throttles.exists("account")
    assert sign_in(Client(), STUDENT)["Location"] == "/services/"  # the account itself is not paused


def test_a_cookie_for_another_account_gives_no_trust(student, teacher):
    browser = Client()
    sign_in(browser, "enseignant@ac-poitiers.fr")
    browser.post("/logout/")
    throttles.create("account", throttling.account_key(STUDENT), consecutive=100)
    assert sign_in(browser, STUDENT).status_code == 429


def test_after_a_hundred_consecutive_failures_only_a_reset_or_a_trusted_browser_gets_in(student):
    owner = _trusted_browser()
    now = timezone.now()
    # 99 failures already, long ago: the pause ladder is forgotten, the consecutive count is not.
    throttles.create(
        "account",
        throttling.account_key(STUDENT),
        failures=3,
        consecutive=99,
        last_failure=now - timedelta(days=2),
    )
    assert sign_in(Client(), STUDENT, "one-more-guess").status_code == 200
    refused = sign_in(Client(), STUDENT)
    assert refused.status_code == 429 and "réinitialisez votre mot de passe" in refused.content.decode()
    assert Event.objects.filter(code="accounts.signin.refused_locked").exists()
    assert sign_in(owner, STUDENT)["Location"] == "/services/"
    # The owner signing in does not reopen the account to everyone else...
    assert sign_in(Client(), STUDENT).status_code == 429
    # ...a completed reset does.
    from accounts.actions.passwords import set_password

    set_password(None, Account.objects.get(identifier=STUDENT), PASSWORD, reason="reset")
    assert sign_in(Client(), STUDENT)["Location"] == "/services/"


def test_a_trusted_browser_meets_the_cap_too(student):
    """A stolen trusted-browser cookie must not buy guesses forever: its own ladder stops at
    100 consecutive failures like the account's, and then only a reset gets that browser in."""
    thief = _trusted_browser()
    sign_in(thief, STUDENT, "first-guess")
    assert len(throttles.states("device")) == 1
    long_ago = timezone.now() - timedelta(days=3)
    throttles.edit(
        "device", consecutive=throttle.HARD_CAP - 1, failures=0, paused_until=None, last_failure=long_ago, recent=[]
    )
    assert sign_in(thief, STUDENT, "one-more-guess").status_code == 200  # the hundredth, still evaluated
    assert sign_in(thief, STUDENT).status_code == 429  # now even the right password is refused there
    assert sign_in(Client(), STUDENT)["Location"] == "/services/"  # the account itself is not locked
    from accounts.actions.passwords import set_password

    set_password(None, Account.objects.get(identifier=STUDENT), PASSWORD, reason="reset")
    assert sign_in(thief, STUDENT)["Location"] == "/services/"


def test_failures_spread_over_days_reach_the_cap():
    state, now = throttle.State(), timezone.now()
    for i in range(throttle.HARD_CAP):
        now += throttle.FORGET_AFTER  # one guess every twelve hours, never paused
        state = throttle.account_failure(state, f"fp-{i}", now)
    assert throttle.capped(state)
    assert throttle.account_failure(state, "fp-more", now + timedelta(days=1)) == state


def test_ipv6_addresses_count_by_slash_64():
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2:ffff::9")
    assert throttle.address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert throttle.address_key("2001:db8:1:3::1") != throttle.address_key("2001:db8:1:2::1")
    assert throttle.address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert throttle.address_key("not an address") == throttle.address_key(None) == "unknown"


def test_one_ipv6_slash_64_spraying_is_blocked_as_one_address(student):
    for i in range(10):
        sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "Printemps2026", ip=f"2001:db8:5:6::{i + 1:x}")
    assert sign_in(Client(), STUDENT, ip="2001:db8:5:6:abcd::42").status_code == 429
    assert sign_in(Client(), STUDENT, ip="2001:db8:5:7::1")["Location"] == "/services/"


def test_a_campus_address_spraying_is_slowed_never_blocked(student):
    for i in range(20):
        sign_in(Client(), f"victim{i}@etu.univ-poitiers.fr", "Printemps2026", ip=CAMPUS)
    assert not Event.objects.filter(code="accounts.signin.ip_blocked").exists()
    hurried = sign_in(Client(), STUDENT, ip=CAMPUS)  # a script that did not wait for the form
    assert hurried.status_code == 429 and hurried["Retry-After"].isdigit()
    assert "il sera accepté dans" in hurried.content.decode()
    # A person who took a few seconds to type gets in with the right password.
    person = sign_in(Client(), STUDENT, ip=CAMPUS, pace=_aged_pace(CAMPUS, 30))
    assert person["Location"] == "/services/"


def test_a_pace_token_is_single_use_and_bound_to_its_network(student):
    token = _aged_pace(CAMPUS, 30)
    assert throttling.pace_age(token, "198.51.100.1") is None  # another address
    assert throttling.pace_age(token, CAMPUS) >= 30
    assert throttling.pace_age(token, CAMPUS) is None  # already used
    assert throttling.pace_age("forged", CAMPUS) is None


def test_the_delay_grows_with_the_spraying_and_stays_bounded():
    state, now = throttle.State(), timezone.now()
    delays = []
    for i in range(400):
        state = throttle.ip_failure(state, f"id-{i}", now, campus=True)
        delays.append(throttle.slow_delay(state, now))
    assert delays[0] == 0 and delays[8] == 0 and delays[9] > 0
    assert delays == sorted(delays) and delays[-1] == throttle.SLOW_MAX_SECONDS
    assert state.paused_until is None  # never a block on a campus


def test_a_campus_persons_right_password_is_never_refused_by_the_address_rule(student):
    # The campus address after a heavy spray: 500 failures on 200 identifiers in the window.
    throttles.create(
        "ip",
        throttling.ip_key(CAMPUS),
        failures=500,
        recent=[f"id-{i}" for i in range(200)],
        window_start=timezone.now(),
        last_failure=timezone.now(),
    )
    assert sign_in(Client(), STUDENT, ip=CAMPUS).status_code == 429  # no form shown: wait
    page = Client()
    page.get("/login/", REMOTE_ADDR=CAMPUS)
    response = sign_in(page, STUDENT, ip=CAMPUS, pace=_aged_pace(CAMPUS, throttle.SLOW_MAX_SECONDS))
    assert response["Location"] == "/services/"


def test_the_sign_in_page_carries_a_pace_token_for_its_address(client):
    html = client.get("/login/", REMOTE_ADDR=CAMPUS).content.decode()
    token = html.split('name="pace" value="', 1)[1].split('"', 1)[0]
    assert throttling.pace_age(token, CAMPUS) is not None


def test_the_right_password_is_not_left_counted(student):
    for _ in range(3):
        assert sign_in(Client(), STUDENT)["Location"] == "/services/"
    assert not throttles.exists("account") and not throttles.exists("ip")


def test_an_unknown_identifier_checks_a_hash_of_the_same_kind(student, monkeypatch):
    from django.contrib.auth.hashers import identify_hasher

    from accounts.directories import database

    checked = []
    real = database.check_password
    monkeypatch.setattr(database, "check_password", lambda p, h, **kw: checked.append(h) or real(p, h, **kw))
    sign_in(Client(), "personne@etu.univ-poitiers.fr", "wrong")
    sign_in(Client(), STUDENT, "wrong")
    assert len(checked) == 2
    unknown, known = (identify_hasher(h) for h in checked)
    assert type(unknown) is type(known)


def _spray_campus():
    throttles.create(
        "ip",
        throttling.ip_key(CAMPUS),
        failures=500,
        recent=[f"id-{i}" for i in range(200)],
        window_start=timezone.now(),
        last_failure=timezone.now(),
    )


def _pace_in(response) -> str:
    return response.content.decode().split('name="pace" value="', 1)[1].split('"', 1)[0]


def test_the_time_spent_on_the_identifier_step_counts_towards_the_delay(student):
    _spray_campus()
    browser = Client()
    # The identifier page was shown long ago; the password page carries that time along.
    step = browser.post(
        "/login/", {"identifier": STUDENT, "pace": _aged_pace(CAMPUS, throttle.SLOW_MAX_SECONDS)}, REMOTE_ADDR=CAMPUS
    )
    assert sign_in(browser, STUDENT, ip=CAMPUS, pace=_pace_in(step))["Location"] == "/services/"


def test_a_wait_page_carries_the_time_already_waited_but_not_a_spent_form(student):
    _spray_campus()
    young = _aged_pace(CAMPUS, 1)
    issued = signing.loads(young, salt=throttling.PACE_SALT)["t"]
    wait = sign_in(Client(), STUDENT, ip=CAMPUS, pace=young)
    assert wait.status_code == 429
    assert signing.loads(_pace_in(wait), salt=throttling.PACE_SALT)["t"] == issued
    again = sign_in(Client(), STUDENT, ip=CAMPUS, pace=young)  # the same form again: spent
    assert signing.loads(_pace_in(again), salt=throttling.PACE_SALT)["t"] > issued
