"""Personas for the assisted-reset tests: support agents, managers, HR approvers and the
people they help. Plain functions, so each test module declares only the fixtures it uses."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import Account
from institutions.models import Public

PASSWORD = "Correct-Horse-Battery-2026"


def make(identifier: str, public: str = "chu", *, email: str = "", mobile: str = "", **fields) -> Account:
    """An account of `public`'s institution, with a secondary address and mobile verified two
    days ago when given (past the 24-hour wait a new channel may have)."""
    public_row = Public.objects.get(slug=public)
    verified = timezone.now() - timedelta(days=2)
    channels = {}
    if email:
        channels.update(secondary_email=email, secondary_email_verified_at=verified)
    if mobile:
        channels.update(mobile=mobile, mobile_verified_at=verified)
    return Account.objects.create_user(
        identifier,
        PASSWORD,
        institution=public_row.institution,
        public=public_row,
        platform=public_row.platform,
        **channels,
        **fields,
    )


def signed_in(account: Account, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(account)
    return client
