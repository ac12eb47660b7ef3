import pytest

from accounts.models import Account
from institutions.models import Institution


@pytest.fixture
def account(poitiers):
    return Account.objects.create_user(
        "camille.martin@univ-poitiers.fr", institution=Institution.objects.get(slug="univ-poitiers")
    )


@pytest.fixture
def admin_user(poitiers):
    # pytest-django's own admin_user has no institution, which an Account requires.
    return Account.objects.create_superuser(
        identifier="admin@univ-poitiers.fr",
        password="a long admin passphrase",
        institution=Institution.objects.get(slug="univ-poitiers"),
    )
