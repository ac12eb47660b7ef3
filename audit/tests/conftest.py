import pytest

from accounts.models import Account
from institutions.models import Institution


@pytest.fixture
def account(poitiers):
    return Account.objects.create_user(
        "camille.martin@univ-poitiers.fr", institution=Institution.objects.get(slug="univ-poitiers")
    )
