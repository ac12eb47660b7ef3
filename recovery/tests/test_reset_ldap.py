"""A reset for a person of an LDAP institution, on the real slapd: the code goes to the
directory's personal address (a link), the new password lands in the directory, and signs in."""

import re

import pytest
from django.test import Client

from institutions.models import Institution

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "le chat de ma voisine mange des croissants"


@pytest.fixture
def ldap_university(poitiers, slapd, slapd_settings):
    Institution.objects.filter(slug="univ-poitiers").update(directory="ldap")
    return slapd


def test_an_ldap_person_who_never_signed_in_resets_and_signs_in(
    client, ldap_university, smtp_server, django_capture_on_commit_callbacks
):
    identifier = "recuperation.ldap@etu.univ-poitiers.fr"
    entry = ldap_university.root_connection()
    entry.search(ldap_university.base_dn, "(uid=recuperation.ldap)", attributes=["supannMailPerso", "mail"])
    personal = str(entry.entries[0].supannMailPerso)
    assert str(entry.entries[0].mail).lower() == identifier
    old_password = ldap_university.passwords["recuperation.ldap"]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/password/reset/", {"identifier": identifier, "channel": "email", "contact": personal})
        body = smtp_server.messages[-1].get_body(("plain",)).get_content()
        link = re.search(r"http://testserver(/password/reset/lien/[^\s]+/)", body).group(1)
        assert client.post(link)["Location"] == "/password/reset/nouveau/"
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post("/password/reset/nouveau/", {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
        assert "Votre mot de passe est changé" in done.content.decode()
        fresh = Client()
        assert fresh.post("/login/", {"identifier": identifier, "password": old_password}).status_code == 200
        assert fresh.post("/login/", {"identifier": identifier, "password": NEW_PASSWORD})["Location"] == "/services/"
    finally:
        # The slapd lives for the whole test session: put the seeded password back.
        from accounts.directories.ldap import LdapDirectory

        LdapDirectory(Institution.objects.get(slug="univ-poitiers"), **ldap_university.options()).set_password(
            identifier, old_password
        )
