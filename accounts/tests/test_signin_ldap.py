"""Signing in through /login/ against a real slapd, for an institution whose directory is LDAP."""

import pytest

from accounts.models import Account
from institutions.models import Institution
from testing import throttles

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ldap_university(poitiers, slapd, slapd_settings):
    Institution.objects.filter(slug="univ-poitiers").update(directory="ldap")
    return slapd


def test_an_ldap_person_signs_in_and_is_mirrored(client, ldap_university):
    password = ldap_university.passwords["etudiant.ldap"]
    response = sign_in(client, "etudiant.ldap@etu.univ-poitiers.fr", password)
    assert response["Location"] == "/services/"
    account = Account.objects.get(identifier="etudiant.ldap@etu.univ-poitiers.fr")
    assert account.directory == "ldap" and not account.has_usable_password()
    assert account.platform.slug == "zimbra"
    assert account.has_verified_secondary_email and account.secondary_email.endswith("@example.org")
    assert "Zimbra" in client.get("/services/").content.decode()


def test_a_wrong_ldap_password_is_refused_and_counted(client, ldap_university):
    response = sign_in(client, "etudiant.ldap@etu.univ-poitiers.fr", "not-the-password")
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert not Account.objects.filter(identifier="etudiant.ldap@etu.univ-poitiers.fr").exists()


def test_a_directory_that_does_not_answer_is_said_plainly_and_not_counted(client, poitiers, settings):
    Institution.objects.filter(slug="univ-poitiers").update(directory="ldap")
    settings.GUICHET_DIRECTORIES = {
        "ldap": {"url": "ldap://127.0.0.1:9", "base_dn": "dc=x", "bind_dn": "cn=x", "bind_password": "x"}
    }
    response = sign_in(client, "etudiant.ldap@etu.univ-poitiers.fr", "whatever")
    assert response.status_code == 503
    assert "ne répond pas" in response.content.decode()

    assert not throttles.exists()
