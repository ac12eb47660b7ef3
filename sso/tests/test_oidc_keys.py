"""Signing keys: files outside the repository, rotated without breaking tokens already issued."""

import stat
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from oauth2_provider.utils import jwk_from_pem

from sso.protocols.oidc import keys as oidc_keys
from sso.protocols.oidc.validator import GuichetValidator
from testing.oidc import PASSWORD, STUDENT, WEBMAIL, account, basic, oidc_client, pkce


@pytest.fixture
def key_files(tmp_path, settings):
    settings.GUICHET_OIDC_KEY_FILE = tmp_path / "oidc" / "current.pem"
    settings.GUICHET_OIDC_INACTIVE_KEY_DIR = tmp_path / "oidc" / "inactive"
    return settings.GUICHET_OIDC_KEY_FILE, settings.GUICHET_OIDC_INACTIVE_KEY_DIR


def test_the_first_start_creates_a_private_key_file(key_files):
    current, inactive = key_files
    pem, retired = oidc_keys.signing_keys(current, inactive)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----") and retired == []
    assert stat.S_IMODE(current.stat().st_mode) == 0o600
    assert stat.S_IMODE(current.parent.stat().st_mode) == 0o700
    assert oidc_keys.signing_keys(current, inactive)[0] == pem  # read, not regenerated
    assert [path.name for path in current.parent.iterdir()] == ["current.pem"]


def test_workers_starting_together_share_one_key(tmp_path, monkeypatch):
    current = tmp_path / "current.pem"
    first = oidc_keys.new_key_pem()
    # Another worker created the file between our check and our write: its key wins.
    monkeypatch.setattr(oidc_keys, "new_key_pem", lambda: current.write_text(first) and "-----ours-----")
    assert oidc_keys.signing_keys(current, tmp_path / "inactive")[0] == first


@pytest.mark.django_db
def test_rotation_keeps_the_old_key_until_its_tokens_expire(key_files, capsys):
    current, inactive = key_files
    old, _ = oidc_keys.signing_keys(current, inactive)
    call_command("rotate_oidc_key")
    new, retired = oidc_keys.signing_keys(current, inactive)
    assert new != old and retired == [old]
    assert stat.S_IMODE(oidc_keys.inactive_files(inactive)[0].stat().st_mode) == 0o600
    assert "Redémarrez les workers" in capsys.readouterr().out

    call_command("rotate_oidc_key", "--prune-only")  # retired a moment ago: still needed
    assert oidc_keys.signing_keys(current, inactive)[1] == [old]
    call_command("rotate_oidc_key", "--prune-only", "--keep-seconds", "-1")
    assert oidc_keys.signing_keys(current, inactive)[1] == []


def test_prune_drops_only_keys_retired_longer_ago_than_the_token_lifetime(tmp_path):
    current, inactive = tmp_path / "current.pem", tmp_path / "inactive"
    oidc_keys.signing_keys(current, inactive)
    oidc_keys.rotate(current, inactive, now=1_000_000)
    oidc_keys.rotate(current, inactive, now=1_003_000)
    dropped = oidc_keys.prune(inactive, keep_seconds=3600, now=1_004_000)
    assert [p.name.split("-")[0] for p in dropped] == ["1000000"]
    assert len(oidc_keys.inactive_files(inactive)) == 1


@pytest.mark.django_db
def test_tokens_signed_by_a_retired_key_still_verify(client, settings, poitiers, monkeypatch):
    monkeypatch.setenv("GUICHET_OIDC_SECRET_WEBMAIL", "s3cret")
    oidc_client("webmail", redirect_uris=[WEBMAIL], post_logout_redirect_uris=["https://webmail.example.org/bye"])
    account()
    client.post("/login/", {"identifier": STUDENT, "password": PASSWORD})
    verifier, challenge = pkce()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": "webmail",
            "redirect_uri": WEBMAIL,
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    code = parse_qs(urlsplit(client.get(f"/oidc/authorize/?{query}")["Location"]).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": WEBMAIL, "code_verifier": verifier}
    id_token = client.post("/oidc/token/", data, HTTP_AUTHORIZATION=basic("webmail", "s3cret")).json()["id_token"]

    old = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    rotated = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": oidc_keys.new_key_pem(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old],
    }
    with override_settings(OAUTH2_PROVIDER=rotated):
        kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
        assert kids[1] == jwk_from_pem(old).thumbprint() and len(kids) == 2
        assert GuichetValidator()._get_key_for_token(id_token).thumbprint() == kids[1]
        bye = client.get(
            "/oidc/logout/", {"id_token_hint": id_token, "post_logout_redirect_uri": "https://webmail.example.org/bye"}
        )
        assert bye.status_code == 302 and bye["Location"] == "https://webmail.example.org/bye"
    gone = {**rotated, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": []}
    with override_settings(OAUTH2_PROVIDER=gone):
        assert GuichetValidator()._get_key_for_token(id_token) is None
