import pytest

from accounts.models import Account
from institutions.models import Institution, Public

PASSWORD = "Correct-Horse-Battery-2026"


@pytest.fixture
def student(poitiers):
    """A student in the database directory, with a verified secondary address."""
    from django.utils import timezone

    public = Public.objects.get(slug="universite")
    return Account.objects.create_user(
        "etudiant@etu.univ-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        platform=public.platform,
        display_name="Jeanne Martin",
        secondary_email="jeanne.perso@example.org",
        secondary_email_verified_at=timezone.now(),
    )


@pytest.fixture
def teacher(poitiers):
    public = Public.objects.get(slug="academie")
    return Account.objects.create_user(
        "enseignant@ac-poitiers.fr", PASSWORD, institution=public.institution, public=public, platform=public.platform
    )


@pytest.fixture
def bare_login(poitiers):
    """An account known by a login without a domain: the person must pick the institution."""
    return Account.objects.create_user("jmartin", PASSWORD, institution=Institution.objects.get(slug="chu-poitiers"))


def sign_in(client, identifier, password=PASSWORD, ip="127.0.0.1", **fields):
    return client.post("/login/", {"identifier": identifier, "password": password, **fields}, REMOTE_ADDR=ip)
