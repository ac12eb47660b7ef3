"""Personas for the assisted-reset tests: support agents, managers, HR approvers and the
people they help. Plain functions, so each test module declares only the fixtures it uses."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    """Signed in with a second factor, as staff roles require (issue 11)."""
    client = client or Client()
    device = TOTPDevice.objects.create(user=account, name="app", confirmed=True)
    client.force_login(account)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
