"""TOTP, recovery codes, and the fresh password that guards their changes."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.actions.factors import REAUTH_AT
from accounts.models import RecoveryCode, RecoveryCodeDevice, TOTPDevice
from audit.models import Event
from testing import throttles
from testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db
STUDENT = "etudiant@etu.univ-poitiers.fr"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def _reauth(client):
    response = client.post("/compte/confirmer/?next=/compte/securite/", {"password": PASSWORD})
    assert response.status_code == 302


def _enrol_totp(client) -> TOTPDevice:
    sign_in(client, STUDENT)
    _reauth(client)
    page = client.get("/compte/securite/totp/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    assert client.post("/compte/securite/totp/", {"code": _code(device)})["Location"] == "/compte/securite/"
    device.refresh_from_db()
    assert device.confirmed
    client.post("/logout/")
    return device


def _age_devices():
    """The next code can be checked: device throttles and the replay window are over."""
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)


def test_adding_a_factor_needs_a_fresh_password(client, student):
    sign_in(client, STUDENT)
    response = client.get("/compte/securite/totp/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/confirmer/")
    assert client.post("/compte/confirmer/", {"password": "wrong"}).status_code == 200
    _reauth(client)
    assert client.get("/compte/securite/totp/").status_code == 200


def test_a_password_confirmed_more_than_ten_minutes_ago_is_not_fresh(client, student):
    sign_in(client, STUDENT)
    _reauth(client)
    session = client.session
    session[REAUTH_AT] = (timezone.now() - timedelta(minutes=11)).timestamp()
    session.save()
    assert client.get("/compte/securite/totp/")["Location"].startswith("/compte/confirmer/")


def test_totp_enrolment_needs_a_first_code(client, student):
    sign_in(client, STUDENT)
    _reauth(client)
    client.get("/compte/securite/totp/")
    response = client.post("/compte/securite/totp/", {"code": "000000"})
    assert "Ce code ne correspond pas" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_sign_in_with_totp(client, student):
    device = _enrol_totp(client)
    response = sign_in(client, STUDENT)
    assert response["Location"] == "/login/verification/"
    assert "_auth_user_id" not in client.session  # not signed in before the code
    assert client.post("/login/verification/", {"code": _code(device, offset=1)})["Location"] == "/services/"
    assert Event.objects.filter(code="accounts.signin.success", data__factor="TOTPDevice").exists()


def test_a_totp_code_cannot_be_replayed(client, student):
    device = _enrol_totp(client)
    code = _code(device, offset=1)
    sign_in(client, STUDENT)
    assert client.post("/login/verification/", {"code": code}).status_code == 302
    client.post("/logout/")
    _age_devices()
    sign_in(client, STUDENT)
    response = client.post("/login/verification/", {"code": code})
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()


def test_wrong_codes_are_throttled(client, student):
    device = _enrol_totp(client)
    sign_in(client, STUDENT)
    client.post("/login/verification/", {"code": "111111"})
    # The device itself slows guessing: right after a wrong code even the right one waits.
    assert client.post("/login/verification/", {"code": _code(device)}).status_code == 200
    for i in range(3):
        _age_devices()
        client.post("/login/verification/", {"code": f"22222{i}"})
    _age_devices()
    response = client.post("/login/verification/", {"code": _code(device)})
    assert response.status_code == 429  # the pause covers codes as well
    # This browser signed in before (to enrol): the pause is its own, not the account's.
    (device_state,) = throttles.states("device")
    assert device_state.paused_until > timezone.now()
    assert not throttles.exists("account")


def test_recovery_codes_are_single_use_and_stored_hashed(client, student):
    sign_in(client, STUDENT)
    _reauth(client)
    html = client.post("/compte/securite/codes-de-secours/").content.decode()
    codes = re.findall(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(c in d or c.replace("-", "") in d for c in codes for d in stored)
    client.post("/logout/")

    sign_in(client, STUDENT)
    assert client.post("/login/verification/", {"code": codes[0].lower()})["Location"] == "/services/"
    client.post("/logout/")
    RecoveryCodeDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    sign_in(client, STUDENT)
    assert client.post("/login/verification/", {"code": codes[0]}).status_code == 200
    assert RecoveryCode.objects.count() == 9


def test_removing_a_factor_needs_a_fresh_password_and_is_audited(client, student):
    device = _enrol_totp(client)
    sign_in(client, STUDENT)
    client.post("/login/verification/", {"code": _code(device, offset=1)})
    response = client.post("/compte/securite/retirer/", {"device": device.persistent_id})
    assert response["Location"].startswith("/compte/confirmer/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    _reauth(client)
    client.post("/compte/securite/retirer/", {"device": device.persistent_id})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert Event.objects.filter(code="accounts.factor.removed", subject=student).exists()


def test_nobody_removes_someone_elses_factor(client, student, teacher):
    other = TOTPDevice.objects.create(user=teacher, name="TOTP", confirmed=True)
    sign_in(client, STUDENT)
    _reauth(client)
    assert client.post("/compte/securite/retirer/", {"device": other.persistent_id}).status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_the_pending_second_factor_expires(client, student):
    _enrol_totp(client)
    sign_in(client, STUDENT)
    session = client.session
    session["guichet.pending_second_factor"]["at"] -= 301
    session.save()
    assert client.get("/login/verification/")["Location"] == "/login/"
