"""Bench accounts, made directly in the database (run with the instance's environment):

    python bench/lib/seed.py COUNT PASSWORD [ldap]

COUNT accounts bench.0000@univ-poitiers.fr … on the database directory, all with PASSWORD
(hashed once: a thousand argon2 hashes would take a minute), active, with a verified
personal address (bench.NNNN@example.org, what a reset asks for). With `ldap`, the
University's directory becomes the LDAP server of GUICHET_LDAP_URL instead, and no account
is made: sign-in mirrors each person from the directory.
"""

import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")

DOMAIN = "univ-poitiers.fr"
INSTITUTION = "univ-poitiers"


def identifier(n: int) -> str:
    return f"bench.{n:04d}@{DOMAIN}"


def seed(count: int, password: str) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account
    from institutions import queries

    hashed = make_password(password)
    now = timezone.now()
    public = queries.route(identifier(0)).target
    if public is None:
        raise SystemExit(f"{DOMAIN} is not in the set-up: run load_setup first")
    with transaction.atomic():
        for n in range(count):
            Account.objects.update_or_create(
                identifier=identifier(n),
                defaults={
                    "institution": public.institution,
                    "public": public,
                    "platform": public.platform,
                    "directory": "database",
                    "password": hashed,
                    "secondary_email": f"bench.{n:04d}@example.org",
                    "secondary_email_verified_at": now - datetime.timedelta(days=2),
                    "status": Account.ACTIVE,
                },
            )


def main() -> None:
    import django

    django.setup()
    if sys.argv[3:] == ["ldap"]:
        from institutions.models import Institution

        Institution.objects.filter(slug=INSTITUTION).update(directory="ldap")
        return
    seed(int(sys.argv[1]), sys.argv[2])


if __name__ == "__main__":
    main()
