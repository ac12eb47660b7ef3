import pytest

from accounts.models import Account
from institutions.models import Institution
from testing.personas import PASSWORD


@pytest.fixture
def bare_login(poitiers):
    """An account known by a login without a domain: the person must pick the institution."""
    return Account.objects.create_user("jmartin", PASSWORD, institution=Institution.objects.get(slug="chu-poitiers"))


def sign_in(client, identifier, password=PASSWORD, ip="127.0.0.1", **fields):
    return client.post("/login/", {"identifier": identifier, "password": password, **fields}, REMOTE_ADDR=ip)
