"""What a sign-in costs around the password hash (issue 15 item 5), and that an unknown
identifier costs the same as a real one (issue 10: no timing tells them apart).

Counts include the SAVEPOINTs of the test's own transaction wrapping. Before this work a
trusted browser's sign-in POST ran 37 statements here (the account row read three times,
one query per second-factor table, the session written three times)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice as PlainTOTPDevice

from accounts.actions import throttling
from accounts.directories import ldap_pool
from accounts.models import Account, RecoveryCodeDevice, TOTPDevice
from audit.models import Event
from institutions.models import Institution
from testing import throttles

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"
LEA = "etudiant.ldap@etu.univ-poitiers.fr"


def _trusted_browser() -> Client:
    browser = Client()
    assert sign_in(browser, STUDENT)["Location"] == "/services/"
    browser.post("/logout/")
    return browser


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_trusted_browsers_sign_in_is_a_dozen_statements(student, settings, django_assert_max_num_queries):
    browser = _trusted_browser()
    with django_assert_max_num_queries(17), CaptureQueriesContext(connection) as ctx:
        assert sign_in(browser, STUDENT)["Location"] == "/services/"
    statements = _statements(ctx)
    assert not [s for s in statements if s.startswith('UPDATE "accounts_knowndevice"')]  # seen today already
    account_reads = [s for s in statements if s.startswith("SELECT") and 'FROM "accounts_account"' in s]
    assert len(account_reads) == 1  # read once, second-factor flag included
    assert not [s for s in statements if "otp_totp" in s or "webauthn" in s or "recoverycode" in s]
    assert len([s for s in statements if s.startswith('UPDATE "accounts_account"')]) == 1  # both login dates
    # One INSERT (no SELECT of a fresh key, no UPDATE with the same data); none on Redis.
    written = 1 if settings.SESSION_ENGINE.endswith(".db") else 0
    assert len([s for s in statements if "django_session" in s]) == written


def _warm() -> None:
    """The set-up caches (domains, networks, pages) filled, as on a running server."""
    sign_in(Client(), "warm-up@etu.univ-poitiers.fr", "wrong", ip="10.0.0.1")


def test_a_new_browsers_sign_in_stays_small(student, django_assert_max_num_queries):
    _warm()
    with django_assert_max_num_queries(28):  # + the known-browser row and the mail telling the person
        assert sign_in(Client(), STUDENT)["Location"] == "/services/"


def test_a_sign_in_with_a_second_factor_asks_no_device_table(student, django_assert_max_num_queries):
    TOTPDevice.objects.create(user=student, name="TOTP", confirmed=True)
    _warm()
    with django_assert_max_num_queries(22), CaptureQueriesContext(connection) as ctx:
        assert sign_in(Client(), STUDENT)["Location"] == "/login/verification/"
    assert not [s for s in _statements(ctx) if "totpdevice" in s or "webauthn" in s or "recoverycode" in s]
    # The right password's provisional failure was taken back, with the session, in one go.
    assert not throttles.exists("account", [throttling.account_key(STUDENT)])


def _shape(ctx: CaptureQueriesContext) -> list[str]:
    """Each statement's verb and tables, without the values (keys, times) that differ."""
    return [" ".join(re.findall(r'^\w+|"(?:accounts|audit|django|institutions)_\w+"', sql)) for sql in _statements(ctx)]


def test_an_unknown_identifier_does_the_same_database_work_as_a_real_one(student):
    _warm()
    with CaptureQueriesContext(connection) as real:
        sign_in(Client(), STUDENT, "wrong", ip="10.0.0.2")
    with CaptureQueriesContext(connection) as unknown:
        sign_in(Client(), "personne@etu.univ-poitiers.fr", "wrong", ip="10.0.0.3")
    assert _shape(real) == _shape(unknown)


# The stored « has a second factor » flag.


def test_the_second_factor_flag_follows_the_devices(student):
    def flag() -> bool:
        return Account.objects.get(pk=student.pk).has_second_factor

    draft = TOTPDevice.objects.create(user=student, name="TOTP", confirmed=False)
    assert not flag()  # an unconfirmed authenticator is no second factor yet
    draft.confirmed = True
    draft.save()
    assert flag()
    codes = RecoveryCodeDevice.objects.create(user=student, name="codes", confirmed=True)
    draft.delete()
    assert flag()  # the recovery codes remain
    codes.delete()
    assert not flag()
    PlainTOTPDevice.objects.create(user=student, name="legacy", confirmed=True)
    assert flag()  # every device model django-otp counts


def test_the_second_factor_flag_follows_a_passkey(student):
    from django_otp_webauthn.models import WebAuthnCredential

    passkey = WebAuthnCredential.objects.create(
        user=student, name="clé", confirmed=True, credential_id=b"id", public_key=b"key", sign_count=0
    )
    assert Account.objects.get(pk=student.pk).has_second_factor
    passkey.delete()
    assert not Account.objects.get(pk=student.pk).has_second_factor


def test_a_checked_code_does_not_recompute_the_flag(student):
    device = TOTPDevice.objects.create(user=student, name="TOTP", confirmed=True)
    device = TOTPDevice.objects.get(pk=device.pk)
    with CaptureQueriesContext(connection) as ctx:
        device.verify_token("000000")  # saves the device (throttling)
    assert not [q for q in ctx.captured_queries if "accounts_account" in q["sql"]]


# LDAP: kept connections, the mirror written only when something changed.


@pytest.fixture
def ldap_university(poitiers, slapd, slapd_settings):
    Institution.objects.filter(slug="univ-poitiers").update(directory="ldap")
    return slapd


def test_ldap_connections_are_reused_across_sign_ins(ldap_university):
    password = ldap_university.passwords["etudiant.ldap"]
    assert sign_in(Client(), LEA, password)["Location"] == "/services/"
    opened = ldap_pool.opened()
    for _ in range(3):
        assert sign_in(Client(), LEA, password)["Location"] == "/services/"
        assert "Identifiant ou mot de passe incorrect" in sign_in(Client(), LEA, "wrong").content.decode()
    assert ldap_pool.opened() == opened


def test_a_dropped_ldap_connection_is_replaced_without_failing_the_sign_in(ldap_university):
    password = ldap_university.passwords["etudiant.ldap"]
    assert sign_in(Client(), LEA, password)["Location"] == "/services/"
    for conn in ldap_pool._slots().values():
        conn.socket.close()  # as a server restart or an idle timeout leaves it
    opened = ldap_pool.opened()
    assert sign_in(Client(), LEA, password)["Location"] == "/services/"
    assert ldap_pool.opened() == opened + 2


def test_an_ldap_sign_in_costs_few_statements_and_the_mirror_is_created_once_audited(
    ldap_university, django_assert_max_num_queries
):
    password = ldap_university.passwords["etudiant.ldap"]
    browser = Client()
    assert sign_in(browser, LEA, password)["Location"] == "/services/"
    assert Event.objects.filter(code="accounts.account.mirrored", subject__identifier=LEA).count() == 1
    browser.post("/logout/")
    with django_assert_max_num_queries(19), CaptureQueriesContext(connection) as ctx:
        assert sign_in(browser, LEA, password)["Location"] == "/services/"
    # Nothing changed in the directory: the mirror row is only touched for the login dates.
    updates = [s for s in _statements(ctx) if s.startswith('UPDATE "accounts_account"')]
    assert len(updates) == 1 and "display_name" not in updates[0]
    assert Event.objects.filter(code="accounts.account.mirrored").count() == 1


def test_the_right_password_still_signs_in_after_the_hard_cap_from_a_trusted_browser(student):
    # (the full rule — trusted browser and reset — is in test_throttle_campus.py)
    browser = _trusted_browser()
    throttles.create("account", throttling.account_key(STUDENT), consecutive=100)
    assert sign_in(Client(), STUDENT).status_code == 429
    assert sign_in(browser, STUDENT, PASSWORD)["Location"] == "/services/"


def test_an_unknown_identifier_does_the_same_python_work_as_a_real_one(student, settings):
    """Timing on a shared machine is noise at this scale; the count of function calls is not.
    Before, a real account's wrong password ran ~740 more calls than an unknown identifier
    (about 0.37 ms): its row read twice and turned into objects."""
    import cProfile
    import pstats

    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from accounts.actions import signin

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the hash is equal anyway
    institution = Institution.objects.get(slug="univ-poitiers")
    calls = {}
    for identifier in (STUDENT, "personne@etu.univ-poitiers.fr"):
        requests = []
        for i in range(11):
            request = RequestFactory().post("/login/", REMOTE_ADDR=f"10.7.{i}.1")
            request.session = SessionStore()
            requests.append(request)
        signin.attempt(requests[0], identifier, "wrong-0", institution)
        profile = cProfile.Profile()
        profile.enable()
        for i, request in enumerate(requests[1:]):
            assert signin.attempt(request, identifier, f"wrong-{i % 3}", institution).status == "failed"
        profile.disable()
        calls[identifier] = sum(stat[1] for stat in pstats.Stats(profile).stats.values()) / 10  # type: ignore[attr-defined]
    real, unknown = calls.values()
    assert abs(real - unknown) < 0.01 * real, calls


def test_a_sign_in_typed_with_an_ldap_uid_leaves_no_failure_behind(ldap_university):
    password = ldap_university.passwords["etudiant.ldap"]
    assert sign_in(Client(), "etudiant.ldap", password, institution="univ-poitiers")["Location"] == "/services/"
    assert not throttles.exists("account", [throttling.account_key("etudiant.ldap"), throttling.account_key(LEA)])
    assert not throttles.exists("ip")
