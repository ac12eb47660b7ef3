from datetime import UTC, datetime

import pytest

from accounts.models import Account
from institutions.models import Institution


@pytest.fixture
def account(poitiers):
    return Account.objects.create_user(
        "camille.martin@univ-poitiers.fr",
        display_name="Camille Martin",
        institution=Institution.objects.get(slug="univ-poitiers"),
    )


@pytest.fixture
def new_device_mail(account):
    """Queues the new-device notice for `account`; the test transaction never commits, so
    nothing is delivered unless the test asks."""
    from notify.actions import queue_email

    def queue(language="fr"):
        return queue_email(
            to=account.identifier,
            template="new_device",
            context={
                "account": account,
                "when": datetime(2026, 11, 29, 7, 40, tzinfo=UTC),
                "device": "Firefox, Linux",
                "place": "192.168.1.x",
                "connections_url": "https://guichet.example/compte/connexions/",
                "reset_url": "https://guichet.example/mot-de-passe/",
            },
            language=language,
            purpose="accounts.new_device",
            account=account,
        )

    return queue
