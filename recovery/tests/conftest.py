import pytest
from django.utils import timezone

from accounts.models import Account
from institutions.models import Public

PASSWORD = "Correct-Horse-Battery-2026"
NEW_PASSWORD = "le chat de ma voisine mange des croissants"


@pytest.fixture
def nurse(poitiers):
    """A CHU nurse with a verified secondary address and a verified mobile."""
    public = Public.objects.get(slug="chu")
    now = timezone.now() - timezone.timedelta(days=2)
    return Account.objects.create_user(
        "infirmiere@chu-poitiers.fr",
        PASSWORD,
        institution=public.institution,
        public=public,
        platform=public.platform,
        display_name="Claire Dubois",
        secondary_email="claire.perso@example.org",
        secondary_email_verified_at=now,
        mobile="+33612345678",
        mobile_verified_at=now,
    )


def ask(client, identifier, channel="email", contact="claire.perso@example.org", ip="127.0.0.1"):
    return client.post(
        "/password/reset/", {"identifier": identifier, "channel": channel, "contact": contact}, REMOTE_ADDR=ip
    )
