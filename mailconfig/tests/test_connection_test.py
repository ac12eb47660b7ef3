"""« Tester ma connexion » against real servers started here: Dovecot with a good certificate,
an expired one, one for another name, a closed port, no STARTTLS; aiosmtpd with STARTTLS."""

import pytest
from cryptography.hazmat.primitives import serialization

from mailconfig import probes, words
from mailconfig.servers import Server
from testing import mailservers
from testing.net import free_port

from .conftest import make_certificate, write_pem

HOST = "localhost"


def _pem(cert, key) -> tuple[bytes, bytes]:
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory, test_ca):
    path, _ = write_pem(tmp_path_factory.mktemp("ca"), "ca", test_ca[0])
    return str(path)


def _texts(result) -> str:
    return " ".join(f"{line.level}: {line.text} {line.advice}" for line in words.explain(result))


def test_a_good_certificate_passes_on_implicit_tls_and_starttls(test_ca, ca_file):
    with mailservers.dovecot(*_pem(*make_certificate(HOST, issuer=test_ca, days=200))) as server:
        direct = probes.check(Server("imap", HOST, server.imaps_port, "tls"), cafile=ca_file, timeout=5)
        upgraded = probes.check(Server("imap", HOST, server.imap_port, "starttls"), cafile=ca_file, timeout=5)
    for result in (direct, upgraded):
        assert result.ok, result
        assert result.tls_version in ("TLSv1.2", "TLSv1.3")
        assert result.names == [HOST]
    assert upgraded.starttls_offered is True
    assert "Certificat valide pour localhost" in _texts(direct)
    assert words.summary([direct, upgraded]).level == "ok"


def test_an_expired_certificate_is_reported_with_its_date(test_ca, ca_file):
    with mailservers.dovecot(*_pem(*make_certificate(HOST, issuer=test_ca, expired=True))) as server:
        result = probes.check(Server("imap", HOST, server.imaps_port, "tls"), cafile=ca_file, timeout=5)
    assert result.reachable and result.expired and not result.ok
    assert "Le certificat du serveur a expiré le" in _texts(result)
    assert "N'acceptez pas d'exception" in _texts(result)
    assert words.summary([result]).level == "error"


def test_a_certificate_for_another_name_is_reported(test_ca, ca_file):
    with mailservers.dovecot(*_pem(*make_certificate("imap.autre-site.test", issuer=test_ca))) as server:
        result = probes.check(Server("imap", HOST, server.imaps_port, "tls"), cafile=ca_file, timeout=5)
    assert result.trusted is True and result.name_matches is False and not result.ok
    assert "délivré pour imap.autre-site.test, pas pour localhost" in _texts(result)


def test_an_untrusted_certificate_is_reported(ca_file):
    with mailservers.dovecot(*_pem(*make_certificate(HOST))) as server:  # self-signed
        result = probes.check(Server("imap", HOST, server.imaps_port, "tls"), cafile=ca_file, timeout=5)
    assert result.trusted is False and not result.ok
    assert "pas signé par une autorité reconnue" in _texts(result)


def test_a_server_without_starttls_is_reported():
    with mailservers.dovecot() as server:
        result = probes.check(Server("imap", HOST, server.imap_port, "starttls"), timeout=5)
    assert result.reachable and result.starttls_offered is False
    assert result.failure == "no-starttls"
    assert "ne propose pas STARTTLS" in _texts(result)


def test_a_closed_port_is_reported():
    result = probes.check(Server("imap", "127.0.0.1", free_port(), "tls"), timeout=5)
    assert not result.reachable and result.failure == "refused"
    assert "refuse la connexion" in _texts(result)


def test_an_unknown_name_is_reported():
    result = probes.check(Server("imap", "imap.nom-inexistant.invalid", 993, "tls"), timeout=5)
    assert result.failure == "dns"


def test_tls_spoken_to_a_starttls_port_is_told_apart(test_ca, ca_file):
    with mailservers.dovecot(*_pem(*make_certificate(HOST, issuer=test_ca))) as server:
        result = probes.check(Server("imap", HOST, server.imap_port, "tls"), cafile=ca_file, timeout=2)
    assert result.reachable and not result.ok
    assert result.failure in ("handshake", "protocol")


def test_smtp_starttls_on_a_real_smtp_server(tmp_path, test_ca, ca_file):
    cert_path, key_path = write_pem(tmp_path, "smtp", *make_certificate(HOST, issuer=test_ca))
    with mailservers.smtp_starttls(cert_path, key_path) as port:
        result = probes.check(Server("smtp", HOST, port, "starttls"), cafile=ca_file, timeout=5)
    assert result.ok, result
    assert result.starttls_offered is True


@pytest.mark.django_db
def test_the_page_runs_the_test_against_the_platforms_servers(client, poitiers, settings, test_ca, ca_file):
    from institutions.models import Platform

    settings.GUICHET_MAILCONFIG_PROBE_CAFILE = ca_file
    with mailservers.dovecot(*_pem(*make_certificate(HOST, issuer=test_ca, days=200))) as server:
        zimbra = Platform.objects.get(slug="zimbra")
        zimbra.mail_servers = {
            **zimbra.mail_servers,
            "incoming": [
                {"protocol": "imap", "host": HOST, "port": server.imaps_port, "security": "tls"},
                {"protocol": "imap", "host": HOST, "port": server.imap_port, "security": "starttls"},
            ],
            "outgoing": [],
        }
        zimbra.save()
        html = client.post("/messagerie/clients/zimbra/test/").content.decode()
    assert "Tout est en ordre du côté des serveurs." in html
    assert html.count("Certificat valide pour localhost") == 2
    assert "STARTTLS est proposé, comme prévu." in html
