"""Front-channel logout (OpenID Connect Front-Channel Logout 1.0): the page answering a logout
loads each signed-in client's frontchannel_logout_uri, with iss and sid, then moves on."""

from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from testing.oidc import LOOPBACK, PASSWORD, STUDENT, account, oidc_client, pkce

pytestmark = pytest.mark.django_db
FRONT = "https://agenda.example.net/frontchannel?x=1"


@pytest.fixture
def signed_in_to_agenda(client, poitiers):
    account()
    oidc_client("agenda", frontchannel_logout_uri=FRONT)
    oidc_client("webmail")  # no front channel
    assert client.post("/login/", {"identifier": STUDENT, "password": PASSWORD}).status_code == 302
    for client_id in ("agenda", "webmail"):
        _verifier, challenge = pkce()
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": LOOPBACK,
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        assert "code=" in client.get("/oidc/authorize/", params)["Location"]
    return client


def test_logout_loads_the_clients_front_channel_then_moves_on(signed_in_to_agenda):
    response = signed_in_to_agenda.post("/logout/")
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "Déconnexion en cours" in html
    frames = [line for line in html.splitlines() if "<iframe" in line]
    assert len(frames) == 1
    src = frames[0].split('src="')[1].split('"')[0]
    query = parse_qs(urlsplit(src).query)
    assert src.startswith(FRONT + "&") and query["iss"] == ["http://testserver"] and query["sid"][0]
    assert "frame-src" in response["Content-Security-Policy"]
    assert "https://agenda.example.net" in response["Content-Security-Policy"].split("frame-src")[1]
    assert 'action="/fr/"' in html or 'action="/"' in html  # on to where the logout was going
    assert signed_in_to_agenda.get("/services/").status_code == 302


def test_without_front_channel_clients_logout_is_unchanged(client, poitiers):
    account()
    assert client.post("/login/", {"identifier": STUDENT, "password": PASSWORD}).status_code == 302
    response = client.post("/logout/")
    assert response.status_code == 302
