import pytest
from django.utils import timezone

from accounts.models import Account
from institutions.models import Client, Public

PASSWORD = "Correct-Horse-Battery-2026"
SERVICE = "https://app.example.org/mail/"


@pytest.fixture
def teacher(poitiers):
    public = Public.objects.get(slug="academie")
    return Account.objects.create_user(
        "enseignant@ac-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        platform=public.platform,
        display_name="Paul Lefèvre",
        affiliation="faculty,employee",
        secondary_email="paul@example.org",
        secondary_email_verified_at=timezone.now(),
    )


@pytest.fixture
def student(poitiers):
    public = Public.objects.get(slug="universite")
    return Account.objects.create_user(
        "etudiant@etu.univ-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        platform=public.platform,
    )


@pytest.fixture
def cas_client(poitiers):
    """A CAS application open to the académie public only."""
    client = Client.objects.create(
        slug="app-cas",
        name="Application CAS",
        protocol="cas",
        config={"service_patterns": [r"^https://app\.example\.org/"], "attributes": ["mail", "displayName"]},
    )
    client.publics.set([Public.objects.get(slug="academie")])
    return client


def sign_in(client, identifier, password=PASSWORD):
    return client.post("/login/", {"identifier": identifier, "password": password})
