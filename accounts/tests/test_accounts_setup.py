"""Password hashing parameters and the demo accounts."""

import os
import subprocess
import sys

import pytest
from argon2 import PasswordHasher, Type
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.hashers import Argon2idHasher
from accounts.models import Account


def test_the_hasher_is_argon2id_19_mib_2_passes_1_lane():
    encoded = Argon2idHasher().encode("mot de passe", Argon2idHasher().salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1, type=Type.ID).verify(
        encoded.removeprefix("argon2"), "mot de passe"
    )


def test_production_settings_hash_with_argon2id_first(tmp_path):
    env = {**os.environ, "GUICHET_TESTING": "0", "GUICHET_VAR_DIR": str(tmp_path)}
    env.pop("PYTEST_VERSION", None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert out.stdout.strip() == "accounts.hashers.Argon2idHasher", out.stderr


@pytest.mark.django_db
def test_demo_accounts_exist_only_in_demo_mode(poitiers, settings):
    settings.GUICHET_DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("load_demo")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_the_demo_accounts(poitiers, settings, client):
    settings.GUICHET_DEMO = True
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    accounts = {a.identifier: a for a in Account.objects.all()}
    assert set(accounts) == {
        "etudiant.demo@etu.univ-poitiers.fr",
        "enseignant.demo@ac-poitiers.fr",
        "soignant.demo@chu-poitiers.fr",
        "admin.demo@univ-poitiers.fr",
        "agent.demo@univ-poitiers.fr",
        "rh.demo@chu-poitiers.fr",
        "cadre.demo@chu-poitiers.fr",
    }
    student = accounts["etudiant.demo@etu.univ-poitiers.fr"]
    assert student.platform.slug == "zimbra" and student.secondary_email == "etudiant.demo@example.org"
    assert student.has_verified_secondary_email and str(student.mobile) == "+33600000001"
    assert accounts["admin.demo@univ-poitiers.fr"].is_superuser
    assert accounts["agent.demo@univ-poitiers.fr"].is_support_agent
    assert accounts["rh.demo@chu-poitiers.fr"].is_hr_approver
    response = client.post(
        "/login/", {"identifier": "soignant.demo@chu-poitiers.fr", "password": settings.GUICHET_DEMO_PASSWORD}
    )
    assert response["Location"] == "/services/"
