"""Fuzzing (hypothesis) of the sign-in, reset-request and code forms: bad input never gives a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
text = st.text(max_size=300)
addresses = st.one_of(
    st.ip_addresses().map(str), st.sampled_from(["192.0.2.200", "2001:db8:ca5::1", "", "garbage", "::ffff:1.2.3.4"])
)
identifiers = st.one_of(text, st.sampled_from(["etudiant@etu.univ-poitiers.fr", "x@chu-poitiers.fr", "jmartin"]))


@FUZZ
@given(identifier=identifiers, password=text, institution=text, next_=text, pace=text, ip=addresses)
def test_sign_in_never_fails(student, identifier, password, institution, next_, pace, ip):
    data = {"identifier": identifier, "password": password, "institution": institution, "next": next_, "pace": pace}
    response = Client().post("/login/", data, REMOTE_ADDR=ip or "127.0.0.1")
    assert response.status_code < 500


@FUZZ
@given(identifier=identifiers, channel=st.one_of(text, st.sampled_from(["email", "sms"])), contact=text, ip=addresses)
def test_reset_request_never_fails(student, identifier, channel, contact, ip):
    data = {"identifier": identifier, "channel": channel, "contact": contact}
    assert Client().post("/password/reset/", data, REMOTE_ADDR=ip or "127.0.0.1").status_code < 500


@FUZZ
@given(identifier=identifiers, code=st.one_of(text, st.from_regex(r"[2-9A-Z]{4}-?[2-9A-Z]{4}")), ip=addresses)
def test_code_form_never_fails(student, identifier, code, ip):
    data = {"identifier": identifier, "code": code}
    assert Client().post("/password/reset/code/", data, REMOTE_ADDR=ip or "127.0.0.1").status_code < 500
