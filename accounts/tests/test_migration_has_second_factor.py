"""Migration 0004 fills Account.has_second_factor for the accounts that already had a confirmed
second factor (an authenticator app, recovery codes, a passkey, a device django-otp still held),
and for no one else: sign-in reads the flag instead of asking each device table, so an account
left at False would skip its second factor.

Run with Django's MigrationExecutor (django-test-migrations is not installed): back to the state
before 0004, rows written with the models of that state, forward again. `transaction=True`: the
migrations run as `migrate` does, outside a test transaction (SQLite rebuilds a table to drop a
column, with foreign-key checks off, which it cannot do inside one).
"""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_totp_secret_encrypted")]
AFTER = [("accounts", "0004_account_has_second_factor")]

# identifier -> (model holding its device, confirmed); None: no device at all.
PEOPLE = {
    "app@univ-poitiers.fr": (("accounts", "TOTPDevice"), True),
    "codes@univ-poitiers.fr": (("accounts", "RecoveryCodeDevice"), True),
    "passkey@univ-poitiers.fr": (("django_otp_webauthn", "WebAuthnCredential"), True),
    "legacy@univ-poitiers.fr": (("otp_totp", "TOTPDevice"), True),
    "abandoned@univ-poitiers.fr": (("accounts", "TOTPDevice"), False),  # enrolment never confirmed
    "abandoned-key@univ-poitiers.fr": (("django_otp_webauthn", "WebAuthnCredential"), False),
    "password-only@univ-poitiers.fr": None,
}


def migrate(targets):
    """Migrate accounts to `targets` (the other apps stay at their latest); the models of then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "accounts"]
    return executor.loader.project_state([*others, *targets]).apps


def device_fields(app_label: str, name: str, index: int) -> dict:
    if name == "WebAuthnCredential":  # the real model derives the sha256 in save(); this one cannot
        credential = f"credential-{index}".encode()
        return {"credential_id": credential, "credential_id_sha256": hashlib.sha256(credential).hexdigest()}
    return {}


@pytest.fixture
def migrated_back(poitiers):
    """The database as it was before 0004 (the set-up loaded while it is current); always put
    back at the latest migrations, which the rest of the suite expects."""
    try:
        yield migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_flag_is_set_for_confirmed_second_factors_only(migrated_back):
    old = migrated_back
    Institution = old.get_model("institutions", "Institution")
    Account = old.get_model("accounts", "Account")
    assert "has_second_factor" not in {field.name for field in Account._meta.get_fields()}
    institution = Institution.objects.get(slug="univ-poitiers")
    for index, (identifier, device) in enumerate(PEOPLE.items()):
        account = Account.objects.create(identifier=identifier, institution=institution, password="!")
        if device is not None:
            (app_label, name), confirmed = device
            model = old.get_model(app_label, name)
            model.objects.create(
                user_id=account.pk, name=name, confirmed=confirmed, **device_fields(app_label, name, index)
            )

    new = migrate(AFTER)

    flags = dict(new.get_model("accounts", "Account").objects.values_list("identifier", "has_second_factor"))
    assert flags == {identifier: device is not None and device[1] for identifier, device in PEOPLE.items()}
