"""`manage.py mail_dns_records`: what each domain publishes, as zone-file lines."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("mail_dns_records", *args, stdout=out)
    return out.getvalue()


def _records(text: str) -> set[tuple[str, str, str]]:
    rows = set()
    for line in text.splitlines():
        if line and not line.startswith(";"):
            name, _ttl, _in, kind, data = line.split("\t")
            rows.add((name, kind, data))
    return rows


def test_each_domain_gets_autoconfig_autodiscover_and_rfc6186_srv(poitiers):
    rows = _records(_run("--host", "guichet.univ-poitiers.fr", "--domain", "etu.univ-poitiers.fr"))
    assert rows == {
        ("autoconfig.etu.univ-poitiers.fr.", "CNAME", "guichet.univ-poitiers.fr."),
        ("autodiscover.etu.univ-poitiers.fr.", "CNAME", "guichet.univ-poitiers.fr."),
        ("_autodiscover._tcp.etu.univ-poitiers.fr.", "SRV", "0 0 443 guichet.univ-poitiers.fr."),
        ("_imaps._tcp.etu.univ-poitiers.fr.", "SRV", "0 1 993 imap.univ-poitiers.fr."),
        ("_imap._tcp.etu.univ-poitiers.fr.", "SRV", "0 0 0 ."),
        ("_pop3s._tcp.etu.univ-poitiers.fr.", "SRV", "0 1 995 pop.univ-poitiers.fr."),
        ("_pop3._tcp.etu.univ-poitiers.fr.", "SRV", "0 0 0 ."),
        ("_submissions._tcp.etu.univ-poitiers.fr.", "SRV", "0 0 0 ."),
        ("_submission._tcp.etu.univ-poitiers.fr.", "SRV", "0 1 587 smtp.univ-poitiers.fr."),
    }


def test_no_autodiscover_record_for_a_domain_whose_exchange_answers_itself(poitiers):
    text = _run("--host", "guichet.example.org", "--domain", "chu-poitiers.fr")
    assert "autodiscover.chu-poitiers.fr" not in text.replace("; ", "")
    assert "autoconfig.chu-poitiers.fr.\t3600\tIN\tCNAME\tguichet.example.org." in text


def test_every_domain_is_printed_and_unconfirmed_settings_are_flagged(poitiers):
    text = _run("--host", "guichet.example.org")
    for domain in ("ac-poitiers.fr", "univ-poitiers.fr", "etu.univ-poitiers.fr", "chu-poitiers.fr"):
        assert f"; {domain} — " in text
    assert "réglages NON confirmés" in text


def test_an_unknown_domain_or_a_missing_host_is_a_clear_error(poitiers):
    with pytest.raises(CommandError, match="domaine\\(s\\) inconnu"):
        _run("--host", "guichet.example.org", "--domain", "gmail.com")
    with pytest.raises(CommandError, match="--host"):
        _run()


def test_the_operator_reads_the_command_in_english_too(poitiers):
    """Operator-facing text goes through the catalogue like the rest (issue 16)."""
    with translation.override("en"):
        text = _run("--host", "guichet.example.org")
        assert "(settings NOT confirmed)" in text
        assert "must also name autoconfig.<domain>" in text
        assert "NON confirmés" not in text
        with pytest.raises(CommandError, match="unknown domain"):
            _run("--host", "guichet.example.org", "--domain", "gmail.com")
