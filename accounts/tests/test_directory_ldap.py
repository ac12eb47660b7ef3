"""The LDAP directory backend against a real slapd (testing.slapd)."""

import logging
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.directories import DirectoryEntry, DirectoryUnavailable, for_institution
from accounts.directories.ldap import LdapDirectory
from testing import slapd as slapd_plugin

UNIV = SimpleNamespace(slug="univ-poitiers", directory="ldap")

LEA = DirectoryEntry(
    identifier="etudiant.ldap@etu.univ-poitiers.fr",
    display_name="Léa Étudiante",
    mail="etudiant.ldap@etu.univ-poitiers.fr",
    secondary_email="lea.etudiante@example.org",
    mobile="+33 6 39 98 00 01",
    affiliations=("member", "student"),
)


@pytest.fixture
def directory(slapd):
    return LdapDirectory(UNIV, **slapd.options())


def closed_port() -> int:
    # Bound then closed at once: nothing listens there for the test's duration.
    return slapd_plugin.free_port()


# Authentication and the mapping.


@pytest.mark.parametrize(
    "typed",
    [
        "etudiant.ldap",
        "etudiant.ldap@univ-poitiers.fr",
        "etudiant.ldap@etu.univ-poitiers.fr",
        "  Etudiant.LDAP@ETU.univ-poitiers.fr ",
    ],
    ids=["uid", "eduPersonPrincipalName", "mail", "mail-any-case"],
)
def test_authenticate_returns_the_mapped_entry_whatever_form_was_typed(directory, slapd, typed):
    assert directory.authenticate(typed, slapd.passwords["etudiant.ldap"]) == LEA


def test_staff_member_mail_is_lower_cased_and_affiliations_are_all_there(directory, slapd):
    entry = directory.authenticate("personnel.ldap", slapd.passwords["personnel.ldap"])

    assert entry == DirectoryEntry(
        identifier="paul.personnel@univ-poitiers.fr",
        display_name="Paul Personnel",
        mail="paul.personnel@univ-poitiers.fr",
        secondary_email="paul.personnel@example.net",
        mobile="06 39 98 00 02",  # as stored: the caller normalises it
        affiliations=("employee", "staff"),
    )


def test_an_entry_without_mail_mobile_or_display_name_falls_back(directory, slapd):
    entry = directory.authenticate("invite.ldap", slapd.passwords["invite.ldap"])

    assert entry == DirectoryEntry(
        identifier="invite.ldap@univ-poitiers.fr",  # eduPersonPrincipalName when there is no mail
        display_name="Invité LDAP",  # cn when there is no displayName
        affiliations=("affiliate",),
    )


def test_wrong_password_is_refused(directory, slapd):
    assert directory.authenticate("etudiant.ldap", "not-the-password") is None
    assert directory.authenticate("etudiant.ldap", slapd.passwords["personnel.ldap"]) is None


def test_empty_password_is_refused_without_asking_the_server(slapd):
    # Nothing listens on this port: any bind attempt would raise DirectoryUnavailable.
    nowhere = LdapDirectory(UNIV, **slapd.options(url=f"ldap://127.0.0.1:{closed_port()}"))

    assert nowhere.authenticate("etudiant.ldap", "") is None
    assert nowhere.authenticate("etudiant.ldap", None) is None


def test_unknown_identifier_is_refused(directory, slapd):
    assert directory.authenticate("personne.inconnue", slapd.passwords["etudiant.ldap"]) is None
    assert directory.authenticate("", slapd.passwords["etudiant.ldap"]) is None
    assert directory.authenticate("x" * 300, slapd.passwords["etudiant.ldap"]) is None
    assert directory.authenticate("léa.étudiante", slapd.passwords["etudiant.ldap"]) is None


@pytest.mark.parametrize(
    "typed",
    [
        "*",
        "etudiant.ld*",  # unescaped, would match Léa alone: her password would then open it
        "*)(uid=*",
        "etudiant.ldap)(uid=*",
        "x)(|(uid=etudiant.ldap)",
        "etudiant.ldap)(objectClass=*",
        "\\2a",
        "etudiant.ldap\x00",
    ],
)
def test_filter_metacharacters_match_nothing(directory, slapd, typed):
    assert directory.authenticate(typed, slapd.passwords["etudiant.ldap"]) is None
    assert directory.lookup(typed) is None


def test_two_entries_answering_to_one_identifier_are_refused(directory, slapd, caplog):
    # homonyme.a has it as mail, homonyme.b as eduPersonPrincipalName.
    with caplog.at_level(logging.WARNING, logger="accounts.directories.ldap"):
        assert directory.authenticate("homonyme@univ-poitiers.fr", slapd.passwords["homonyme.a"]) is None
        assert directory.authenticate("homonyme@univ-poitiers.fr", slapd.passwords["homonyme.b"]) is None
        assert directory.lookup("homonyme@univ-poitiers.fr") is None
    assert "several entries" in caplog.text
    # Each still signs in with an identifier of their own.
    assert directory.authenticate("homonyme.a", slapd.passwords["homonyme.a"]).identifier == "homonyme@univ-poitiers.fr"


def test_lookup_needs_no_password(directory):
    assert directory.lookup("etudiant.ldap") == LEA
    assert directory.lookup("ETUDIANT.LDAP@ETU.UNIV-POITIERS.FR") == LEA
    assert directory.lookup("personne.inconnue") is None


def test_mapping_can_be_overridden(slapd):
    directory = LdapDirectory(
        UNIV,
        **slapd.options(attributes={"identifier": "uid", "display_name": ["givenName", "cn"]}),
    )

    entry = directory.lookup("etudiant.ldap@etu.univ-poitiers.fr")

    assert (entry.identifier, entry.display_name, entry.mail) == ("etudiant.ldap", "Léa", LEA.mail)
    with pytest.raises(ImproperlyConfigured):
        LdapDirectory(UNIV, **slapd.options(attributes={"phone": "mobile"}))


def test_login_attributes_can_be_restricted(slapd):
    directory = LdapDirectory(UNIV, **slapd.options(login_attributes=["mail"]))

    assert directory.lookup("etudiant.ldap") is None
    assert directory.lookup("etudiant.ldap@etu.univ-poitiers.fr") == LEA


def test_for_institution_reads_the_ldap_options_from_settings(slapd_settings):
    directory = for_institution(UNIV)

    assert isinstance(directory, LdapDirectory)
    assert directory.authenticate("etudiant.ldap", slapd_settings.passwords["etudiant.ldap"]) == LEA


def test_url_with_a_trailing_slash_works(slapd):
    directory = LdapDirectory(UNIV, **slapd.options(url=f"{slapd.url}/"))

    assert directory.lookup("etudiant.ldap") == LEA


# Passwords.


def test_set_password_replaces_the_password_hashed_by_the_server(directory, slapd):
    from ldap3 import NONE, Connection, Server

    original = slapd.passwords["recuperation.ldap"]
    new = "Nouveau mot\u00a0de passe, été 2025 !"  # a no-break space, as a Mac types it
    dn = "uid=recuperation.ldap," + slapd.base_dn
    try:
        directory.set_password("recuperation.ldap@etu.univ-poitiers.fr", new)

        assert directory.authenticate("recuperation.ldap", new).identifier == "recuperation.ldap@etu.univ-poitiers.fr"
        assert directory.authenticate("recuperation.ldap", original) is None
        # Another LDAP client (webmail, IMAP) sends the typed UTF-8 bytes: the same password works.
        other_client = Connection(Server(slapd.url, get_info=NONE), dn, new.encode())
        assert other_client.bind()
        other_client.unbind()
        root = slapd.root_connection()
        root.search(dn, "(objectClass=*)", attributes=["userPassword"])
        stored = root.response[0]["attributes"]["userPassword"]
        root.unbind()
        assert len(stored) == 1
        assert stored[0].startswith(b"{SSHA}" if isinstance(stored[0], bytes) else "{SSHA}")
    finally:
        directory.set_password("recuperation.ldap", original)
    assert directory.authenticate("recuperation.ldap", original) is not None


def test_set_password_for_nobody_or_to_nothing_is_an_error(directory):
    with pytest.raises(DirectoryUnavailable):
        directory.set_password("personne.inconnue", "Un mot de passe solide 42")
    with pytest.raises(ValueError, match="empty"):
        directory.set_password("recuperation.ldap", "")


def test_service_account_cannot_read_password_hashes_nor_can_anonymous_search(slapd):
    from ldap3 import NONE, Connection, Server

    service = Connection(Server(slapd.url, get_info=NONE), slapd.bind_dn, slapd.bind_password, auto_bind=True)
    service.search(slapd.base_dn, "(uid=etudiant.ldap)", attributes=["userPassword", "mail"])
    assert [dict(e["attributes"]) for e in service.response] == [
        {"userPassword": [], "mail": ["etudiant.ldap@etu.univ-poitiers.fr"]}
    ]
    service.unbind()

    anonymous = Connection(Server(slapd.url, get_info=NONE), auto_bind=True)
    anonymous.search(slapd.base_dn, "(uid=*)", attributes=["uid"])
    assert anonymous.response == []
    anonymous.unbind()


def test_passwords_never_reach_the_logs(slapd, caplog):
    directory = LdapDirectory(UNIV, **slapd.options())
    refused_service = LdapDirectory(UNIV, **slapd.options(bind_password="wrong-service-secret"))
    secrets = [slapd.passwords["personnel.ldap"], "wrong-attempt-secret", slapd.bind_password, "wrong-service-secret"]

    with caplog.at_level(logging.DEBUG):
        directory.authenticate("personnel.ldap", slapd.passwords["personnel.ldap"])
        directory.authenticate("personnel.ldap", "wrong-attempt-secret")
        with pytest.raises(DirectoryUnavailable):
            refused_service.lookup("personnel.ldap")

    assert "service account" in caplog.text
    for secret in secrets:
        assert secret not in caplog.text


# The directory unavailable: not the person's fault, never a plain "wrong password".


def test_a_closed_port_is_unavailable(slapd):
    directory = LdapDirectory(UNIV, **slapd.options(url=f"ldap://127.0.0.1:{closed_port()}"))

    with pytest.raises(DirectoryUnavailable):
        directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"])
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("etudiant.ldap")
    with pytest.raises(DirectoryUnavailable):
        directory.set_password("etudiant.ldap", "Un mot de passe solide 42")


def test_a_server_that_never_answers_times_out(slapd):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel accepts connections; nobody ever reads or answers
        port = silent.getsockname()[1]
        directory = LdapDirectory(UNIV, **slapd.options(url=f"ldap://127.0.0.1:{port}", receive_timeout=1))
        with pytest.raises(DirectoryUnavailable):  # after the 1 s receive timeout, not forever
            directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"])


def test_timeouts_default_to_three_and_five_seconds(slapd):
    directory = LdapDirectory(UNIV, **slapd.options())

    assert (directory.connect_timeout, directory.receive_timeout) == (3.0, 5)


def test_a_stopped_server_is_unavailable():
    with slapd_plugin.running_slapd() as server:
        directory = LdapDirectory(UNIV, **server.options())
        assert directory.authenticate("etudiant.ldap", server.passwords["etudiant.ldap"]) == LEA

        server.stop()

        with pytest.raises(DirectoryUnavailable):
            directory.authenticate("etudiant.ldap", server.passwords["etudiant.ldap"])
        with pytest.raises(DirectoryUnavailable):
            directory.lookup("etudiant.ldap")


@pytest.mark.parametrize(
    "options",
    [
        {"bind_password": "not-the-service-password"},
        {"base_dn": "ou=nowhere,dc=guichet,dc=test"},
        {"url": ""},
    ],
    ids=["service-account-refused", "wrong-base-dn", "not-configured"],
)
def test_misconfiguration_is_unavailable_not_a_wrong_password(slapd, options):
    directory = LdapDirectory(UNIV, **slapd.options(**options))

    with pytest.raises(DirectoryUnavailable):
        directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"])


# StartTLS.


def test_start_tls_with_the_servers_ca(slapd, monkeypatch):
    from ldap3 import Connection

    protected = []
    start_tls = Connection.start_tls

    def spy(conn, *args, **kwargs):
        started = start_tls(conn, *args, **kwargs)
        protected.append((started, conn.tls_started, conn.bound))
        return started

    monkeypatch.setattr(Connection, "start_tls", spy)
    directory = LdapDirectory(UNIV, **slapd.options(url=slapd.tls_url, start_tls=True, ca_file=slapd.ca_file))

    assert directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"]) == LEA
    # The service account's connection and the person's, both protected before binding.
    assert protected == [(True, True, False), (True, True, False)]


def test_start_tls_refuses_a_certificate_from_an_unknown_ca(slapd):
    # No ca_file: the system's CAs, which do not know the run's test CA.
    directory = LdapDirectory(UNIV, **slapd.options(url=slapd.tls_url, start_tls=True))

    with pytest.raises(DirectoryUnavailable):
        directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"])


def test_start_tls_refuses_a_certificate_for_another_name(slapd):
    # The right CA, but the certificate names localhost, not 127.0.0.1.
    directory = LdapDirectory(UNIV, **slapd.options(start_tls=True, ca_file=slapd.ca_file))

    with pytest.raises(DirectoryUnavailable):
        directory.authenticate("etudiant.ldap", slapd.passwords["etudiant.ldap"])


# The fixture itself.


def test_without_slapd_the_fixture_fails_with_the_install_command(monkeypatch):
    monkeypatch.setattr(slapd_plugin, "SLAPD", Path("/nonexistent/slapd"))

    with pytest.raises(slapd_plugin.SlapdError, match="apt-get install slapd ldap-utils"), slapd_plugin.running_slapd():
        pass
