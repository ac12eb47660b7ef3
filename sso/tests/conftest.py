import pytest

from institutions.models import Client, Public
from testing.personas import PASSWORD

SERVICE = "https://app.example.org/mail/"


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
