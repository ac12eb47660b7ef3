"""Fuzzing (hypothesis) of the forms and APIs this work touched: never a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guichet.logmask import mask
from recovery.actions import requests as reset_requests
from recovery.models import ResetRequest
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db
NURSE = "infirmiere@chu-poitiers.fr"
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
channel = st.one_of(st.sampled_from(["email", "sms", "printed", ""]), text)
big_int = st.integers(min_value=-(2**70), max_value=2**70)


@FUZZ
@given(identifier=text, kind=channel, contact=text, ip=st.ip_addresses().map(str))
def test_the_reset_form_and_its_worker_never_fail(nurse, identifier, kind, contact, ip):
    response = Client().post(
        "/password/reset/", {"identifier": identifier, "channel": kind, "contact": contact}, REMOTE_ADDR=ip
    )
    assert response.status_code in (200, 302, 429)
    reset_requests.process_due()
    assert not ResetRequest.objects.filter(outcome="abandoned").exists()


@pytest.fixture
def signed_in(nurse):
    client = Client()
    client.post("/login/", {"identifier": NURSE, "password": PASSWORD})
    client.post("/compte/confirmer/?next=/compte/contacts/", {"password": PASSWORD})
    return client


@FUZZ
@given(kind=channel, value=text)
def test_the_contacts_form_never_fails(signed_in, kind, value):
    assert signed_in.post("/compte/contacts/", {"channel": kind, "value": value}).status_code in (200, 302)


@FUZZ
@given(pk=big_int)
def test_revoking_any_session_id_never_fails(signed_in, pk):
    response = signed_in.post(f"/compte/connexions/{abs(pk)}/deconnecter/")
    assert response.status_code in (302, 404)


@FUZZ
@given(pk=big_int)
def test_any_hr_request_id_answers_404_never_500(signed_in, pk):
    assert signed_in.get(f"/rh/demandes/{abs(pk)}/").status_code in (302, 403, 404)


@FUZZ
@given(token=text, grant=st.sampled_from(["refresh_token", "authorization_code", "", "password"]))
def test_token_and_introspection_end_points_never_fail(poitiers, token, grant):
    client = Client()
    assert client.post("/oidc/introspect/", {"token": token}).status_code < 500
    assert client.post("/oidc/token/", {"grant_type": grant, "refresh_token": token}).status_code < 500


@given(line=text)
def test_masking_a_log_line_never_fails_and_is_stable(line):
    once = mask(line)
    assert mask(once) == once
