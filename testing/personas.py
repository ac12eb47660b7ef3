"""The suite's people: one set of named personas on the Poitiers set-up, one demo password.

Loaded from the root conftest (`pytest_plugins`). Every persona is a fixture built on the
`poitiers` fixture (the shipped set-up), signs in with `PASSWORD`, and has settled recovery
channels (verified two days ago, past the wait a new channel may have):

- `student`: Jeanne Martin, université (Zimbra), a secondary address;
- `teacher`: Paul Lefèvre, académie (Convergence), a secondary address;
- `nurse`: Claire Dubois, CHU (Exchange), a secondary address and a mobile;
- `agent`: Agnès Agent, support agent of the université;
- `hr_approver`: Rita RH, who approves the CHU's assisted resets;
- `manager`: Marc Cadre, a CHU manager (a privileged account), a secondary address;
- `administrator` (also pytest-django's `admin_user`, so `admin_client` is signed in as them):
  a superuser of the université;
- `outsider`: an académie account with no role and no recovery channel.

Staff personas have no second factor of their own: `with_second_factor(account)` signs one in
with a TOTP device, as the sign-in's second step would (staff pages require it, issue 11), so
tests of "staff without a second factor" keep the plain persona. A test that needs a variant
(another identifier, no phone…) builds it with `make_person(...)` in a clearly named fixture.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Account
from institutions.models import Institution, Public

PASSWORD = "Correct-Horse-Battery-2026"  # noqa: S105 - the suite's demo password, test accounts only

STUDENT = "etudiant@etu.univ-poitiers.fr"
TEACHER = "enseignant@ac-poitiers.fr"
NURSE = "infirmiere@chu-poitiers.fr"
AGENT = "agent@univ-poitiers.fr"
HR_APPROVER = "rh@chu-poitiers.fr"
MANAGER = "cadre@chu-poitiers.fr"
ADMINISTRATOR = "admin@univ-poitiers.fr"
OUTSIDER = "visiteur@ac-poitiers.fr"


def make_person(identifier: str, public: str = "universite", *, email: str = "", mobile: str = "", **fields) -> Account:
    """An account of `public`'s institution with the demo password, and a secondary address and
    mobile verified two days ago when given."""
    row = Public.objects.get(slug=public)
    verified = timezone.now() - timedelta(days=2)
    channels: dict[str, Any] = {}
    if email:
        channels.update(secondary_email=email, secondary_email_verified_at=verified)
    if mobile:
        channels.update(mobile=mobile, mobile_verified_at=verified)
    fields.setdefault("password", PASSWORD)
    account: Account = Account.objects.create_user(
        identifier, institution=row.institution, public=row, platform=row.platform, **channels, **fields
    )
    return account


def with_second_factor(account: Account, client: Client | None = None) -> Client:
    """Signed in, and verified with a TOTP device as the sign-in's second step would."""
    client = client or Client()
    device = TOTPDevice.objects.create(user=account, name="app", confirmed=True)
    client.force_login(account)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# The personas as plain functions, for a fixture that needs them in another database set-up
# (the live server's, after `site`): `def student(site): return make_student()`.


def make_student() -> Account:
    return make_person(
        STUDENT, "universite", display_name="Jeanne Martin", affiliation="student", email="jeanne.perso@example.org"
    )


def make_teacher() -> Account:
    return make_person(
        TEACHER, "academie", display_name="Paul Lefèvre", affiliation="faculty,employee", email="paul@example.org"
    )


def make_nurse() -> Account:
    return make_person(
        NURSE,
        "chu",
        display_name="Claire Dubois",
        affiliation="staff,employee",
        email="claire.perso@example.org",
        mobile="+33612345678",
    )


def make_agent() -> Account:
    return make_person(AGENT, "universite", display_name="Agnès Agent", is_support_agent=True)


def make_hr_approver() -> Account:
    return make_person(HR_APPROVER, "chu", display_name="Rita RH", is_hr_approver=True)


def make_manager() -> Account:
    return make_person(MANAGER, "chu", display_name="Marc Cadre", email="marc.perso@example.org", is_manager=True)


def make_administrator() -> Account:
    # pytest-django's own admin_user has no institution, which an Account requires.
    account: Account = Account.objects.create_superuser(
        identifier=ADMINISTRATOR, password=PASSWORD, institution=Institution.objects.get(slug="univ-poitiers")
    )
    return account


def make_outsider() -> Account:
    return make_person(OUTSIDER, "academie", display_name="Victor Visiteur")


@pytest.fixture
def student(poitiers) -> Account:
    return make_student()


@pytest.fixture
def teacher(poitiers) -> Account:
    return make_teacher()


@pytest.fixture
def nurse(poitiers) -> Account:
    return make_nurse()


@pytest.fixture
def agent(poitiers) -> Account:
    return make_agent()


@pytest.fixture
def hr_approver(poitiers) -> Account:
    return make_hr_approver()


@pytest.fixture
def manager(poitiers) -> Account:
    return make_manager()


@pytest.fixture
def administrator(poitiers) -> Account:
    return make_administrator()


@pytest.fixture
def admin_user(administrator: Account) -> Account:
    """pytest-django's name, which its `admin_client` signs in with."""
    return administrator


@pytest.fixture
def outsider(poitiers) -> Account:
    return make_outsider()
