"""RP-initiated logout cannot be triggered by a cross-site GET: it asks unless the hint is valid."""

import pytest

from testing.oidc import PASSWORD, STUDENT, WEBMAIL, oidc_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def webmail(poitiers):
    return oidc_client("webmail", redirect_uris=[WEBMAIL], publics=["universite"])


def test_a_get_without_id_token_hint_only_asks(client, student, webmail):
    assert client.post("/login/", {"identifier": STUDENT, "password": PASSWORD}).status_code == 302
    response = client.get("/oidc/logout/", {"client_id": "webmail"})
    html = response.content.decode()
    assert response.status_code == 200 and '<form method="post">' in html
    assert client.get("/services/").status_code == 200  # still signed in


def test_a_forged_id_token_hint_only_asks(client, student, webmail):
    assert client.post("/login/", {"identifier": STUDENT, "password": PASSWORD}).status_code == 302
    client.get("/oidc/logout/", {"id_token_hint": "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."})
    assert client.get("/services/").status_code == 200
