"""OIDC clients come from the set-up (Client rows): synced to the toolkit's applications,
secrets from the environment only, a wrong config leaves no half-working client behind."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from institutions.models import Client
from sso.protocols.oidc import rules as oidc
from testing.oidc import WEBMAIL, oidc_client

pytestmark = pytest.mark.django_db


def test_the_shipped_thunderbird_client_is_a_public_loopback_client(poitiers):
    app = Application.objects.get(client_id="thunderbird")
    assert app.client_type == Application.CLIENT_PUBLIC and app.skip_authorization
    assert app.redirect_uris.split() == ["http://127.0.0.1/", "http://[::1]/"]
    assert app.algorithm == "RS256" and app.authorization_grant_type == "authorization-code"
    assert oidc.allowed_scopes(Client.objects.get(slug="thunderbird")) == {"openid", "email", "profile", "mail"}


def test_a_confidential_client_gets_its_secret_from_the_environment_hashed(poitiers, monkeypatch):
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEB_MAIL", "from-the-environment")
    oidc_client("web-mail", redirect_uris=[WEBMAIL], third_party=True)
    app = Application.objects.get(client_id="web-mail")
    assert app.client_type == Application.CLIENT_CONFIDENTIAL and not app.skip_authorization
    assert app.client_secret != "from-the-environment" and check_password("from-the-environment", app.client_secret)


def test_without_its_variable_a_confidential_client_has_a_secret_nobody_knows(poitiers, caplog):
    oidc_client("web-mail", redirect_uris=[WEBMAIL])
    app = Application.objects.get(client_id="web-mail")
    assert app.client_secret.startswith(("pbkdf2", "argon2", "md5"))
    assert "GUICHET_OIDC_SECRET_WEB_MAIL" in caplog.text


@pytest.mark.parametrize(
    "config",
    [
        {"redirect_uris": ["http://webmail.example.org/cb"]},  # plain http off loopback
        {"redirect_uris": ["https://*.example.org/cb"]},  # wildcard
        {"redirect_uris": ["https://webmail.example.org/cb#frag"]},
        {"client_id": ""},
        {"public": "yes"},
        {"scopes": ["openid", "admin"]},
        {"backchannel_logout_uri": "http://webmail.example.org/logout"},
    ],
)
def test_a_wrong_config_leaves_no_application(poitiers, config, caplog):
    oidc_client("web-mail", **{"redirect_uris": [WEBMAIL], **config})
    assert not Application.objects.filter(name="Web-Mail").exists()
    with pytest.raises(CommandError, match="web-mail"):
        call_command("sync_oidc_clients")


def test_two_clients_cannot_share_a_client_id(poitiers):
    oidc_client("web-mail", redirect_uris=[WEBMAIL])
    oidc_client("other", client_id="web-mail", redirect_uris=["https://other.example.org/cb"])
    assert Application.objects.get(client_id="web-mail").redirect_uris == WEBMAIL
    with pytest.raises(CommandError, match="déjà pris"):
        call_command("sync_oidc_clients")


def test_editing_or_removing_a_client_follows(poitiers):
    client = oidc_client("web-mail", redirect_uris=[WEBMAIL])
    client.config = {**client.config, "redirect_uris": [WEBMAIL, "https://webmail.example.org/other"]}
    client.save()
    assert Application.objects.get(client_id="web-mail").redirect_uris.endswith("/other")
    client.config = {**client.config, "client_id": "renamed"}
    client.save()
    assert list(
        Application.objects.filter(client_id__in=["web-mail", "renamed"]).values_list("client_id", flat=True)
    ) == ["renamed"]
    client.delete()
    assert not Application.objects.filter(client_id="renamed").exists()
    assert Application.objects.filter(client_id="thunderbird").exists()


def test_an_application_no_client_names_is_removed_by_the_command(poitiers, capsys):
    Application.objects.create(client_id="stray", client_type="public", authorization_grant_type="authorization-code")
    call_command("sync_oidc_clients")
    assert not Application.objects.filter(client_id="stray").exists()
    assert "thunderbird: ok" in capsys.readouterr().out
