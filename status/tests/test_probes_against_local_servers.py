"""Each probe against real TLS servers started by the test: a good certificate, an expired
one, one for another name, one about to expire, a closed port, a server that never answers,
and one that answers like a broken service."""

import pytest

from status.probes import Spec, run
from testing.status import TLSServer, closed_port

KINDS = ["https", "imap", "smtp"]


def _run(kind, ca, port, **spec):
    return run(kind, Spec("127.0.0.1", port, timeout=spec.pop("timeout", 2.0), **spec), ca_file=str(ca.ca_file))


@pytest.mark.parametrize("kind", KINDS)
def test_a_healthy_server_passes_with_latency_banner_and_expiry(kind, ca, good_cert):
    with TLSServer(kind, good_cert) as server:
        outcome = _run(kind, ca, server.port)
    assert outcome.ok, outcome
    assert outcome.latency_ms is not None and outcome.latency_ms >= 0
    assert outcome.cert_not_after == good_cert.not_after
    assert outcome.cert_days_left in (89, 90)
    assert {"https": "HTTP 200", "imap": "* OK", "smtp": "220 "}[kind] in outcome.banner


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_certificate_fails_and_still_says_when_it_expired(kind, ca):
    cert = ca.issue("127.0.0.1", days=-2)
    with TLSServer(kind, cert) as server:
        outcome = _run(kind, ca, server.port)
    assert not outcome.ok
    assert outcome.error == "cert_expired"
    assert outcome.cert_days_left is not None and outcome.cert_days_left < 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_certificate_for_another_name_fails(kind, ca):
    cert = ca.issue("webmail.autre-etablissement.example")
    with TLSServer(kind, cert) as server:
        outcome = _run(kind, ca, server.port)
    assert (outcome.ok, outcome.error) == (False, "cert_name")


@pytest.mark.parametrize("kind", KINDS)
def test_a_certificate_from_an_unknown_authority_fails(kind, ca, tmp_path_factory):
    from testing.status import TestCA

    stranger = TestCA(tmp_path_factory.mktemp("stranger")).issue("127.0.0.1")
    with TLSServer(kind, stranger) as server:
        outcome = _run(kind, ca, server.port)
    assert (outcome.ok, outcome.error) == (False, "cert_untrusted")


@pytest.mark.parametrize("kind", KINDS)
def test_a_closed_port_fails_as_refused(kind, ca):
    outcome = _run(kind, ca, closed_port())
    assert (outcome.ok, outcome.error, outcome.latency_ms) == (False, "refused", None)


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_never_answers_fails_as_a_timeout(kind, ca, good_cert):
    with TLSServer(kind, good_cert, slow=True) as server:
        outcome = _run(kind, ca, server.port, timeout=0.2)
    assert (outcome.ok, outcome.error) == (False, "timeout")


@pytest.mark.parametrize(("kind", "error"), [("https", "http_status"), ("imap", "protocol"), ("smtp", "protocol")])
def test_a_server_that_answers_as_broken_fails(kind, error, ca, good_cert):
    with TLSServer(kind, good_cert) as server:
        server.fail()
        outcome = _run(kind, ca, server.port)
    assert (outcome.ok, outcome.error) == (False, error)


def test_imap_login_signs_in_with_the_probe_account_and_never_shows_its_secret(ca, good_cert, tmp_path):
    secret = tmp_path / "probe-secret"
    secret.write_text("S3cret-probe-password\n")
    with TLSServer("imap", good_cert) as server:
        server.accounts = {"sonde@univ-poitiers.fr": "S3cret-probe-password"}
        ok = _run("imap_login", ca, server.port, login="sonde@univ-poitiers.fr", secret_file=str(secret))
        secret.write_text("wrong")
        refused = _run("imap_login", ca, server.port, login="sonde@univ-poitiers.fr", secret_file=str(secret))
    assert ok.ok and ok.detail == "login ok"
    assert (refused.ok, refused.error) == (False, "login")
    assert "wrong" not in repr(refused) and "S3cret" not in repr(ok)


def test_imap_login_speaks_xoauth2_with_a_token_from_a_file(ca, good_cert, tmp_path):
    token = tmp_path / "token"
    token.write_text("guichet-access-token")
    with TLSServer("imap", good_cert) as server:
        server.accounts = {"sonde@univ-poitiers.fr": "guichet-access-token"}
        outcome = _run(
            "imap_login", ca, server.port, login="sonde@univ-poitiers.fr", secret_file=str(token), auth="xoauth2"
        )
    assert outcome.ok, outcome
    assert server.logins == ["sonde@univ-poitiers.fr"]


def test_imap_login_with_a_missing_secret_file_fails_without_connecting(ca, good_cert, tmp_path):
    with TLSServer("imap", good_cert) as server:
        outcome = _run("imap_login", ca, server.port, login="sonde@x.fr", secret_file=str(tmp_path / "absent"))
    assert (outcome.ok, outcome.error) == (False, "config")
    assert server.logins == []


@pytest.mark.parametrize("kind", ["imap", "smtp"])
def test_starttls_is_spoken_and_its_certificate_checked(kind, ca, good_cert):
    with TLSServer(kind, good_cert, starttls=True) as server:
        outcome = _run(kind, ca, server.port, starttls=True)
    assert outcome.ok, outcome
    assert outcome.cert_not_after == good_cert.not_after


@pytest.mark.parametrize("kind", ["imap", "smtp"])
def test_starttls_with_an_expired_certificate_fails(kind, ca):
    with TLSServer(kind, ca.issue("127.0.0.1", days=-1), starttls=True) as server:
        outcome = _run(kind, ca, server.port, starttls=True)
    assert (outcome.ok, outcome.error) == (False, "cert_expired")
