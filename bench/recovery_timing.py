"""Does /password/reset/ take longer when the identifier exists? Prints the medians.

    .venv/bin/python bench/recovery_timing.py [--rounds 200]

Runs Django in this process against a throwaway SQLite database (GUICHET_VAR_DIR in a
temporary folder) with the shipped set-up and one account, and POSTs the reset form for
three cases, interleaved so that the machine's noise falls on all of them alike:
unknown identifier, known identifier with the wrong contact, and a match. As in
production, the matching and the sending happen in the worker (not running here): the
figures are the time a person, or an attacker, waits for the page.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

BASE_DIR = Path(__file__).resolve().parent.parent


def measure(cases: dict[str, tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per reset request of each case, interleaved, after 10 warm-up rounds."""
    from django.test import Client

    from testing import throttles

    client = Client()
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(rounds + 10):
        for name, (identifier, contact) in cases.items():
            throttles.forget_all()  # the request quotas would stop the loop
            started = time.perf_counter()
            response = client.post(
                "/password/reset/",
                {"identifier": identifier, "channel": "email", "contact": contact},
                REMOTE_ADDR=f"192.0.2.{round_ % 250 + 1}",
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            if round_ >= 10:  # the first rounds warm caches and imports
                timings[name].append(elapsed * 1000)

    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="guichet-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="guichet.settings",
        GUICHET_VAR_DIR=var,
        GUICHET_SECRET_KEY=secrets.token_urlsafe(50),  # keys are made on purpose, never at start-up
        GUICHET_HTTPS="0",
        GUICHET_HUEY_IMMEDIATE="0",
        GUICHET_EMAIL_BACKEND="console",
        GUICHET_LOG_LEVEL="WARNING",
    )
    for name in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(BASE_DIR))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import Account
    from institutions.loader import load
    from institutions.models import Public

    setup_test_environment()  # lets the test client run against ALLOWED_HOSTS' testserver
    call_command("migrate", verbosity=0)
    load(settings.GUICHET_SETUP_FILE)
    public = Public.objects.get(slug="chu")
    # Any: typed or not, the manager in accounts/ may change under this bench.
    cast(Any, Account.objects).create_user(
        "infirmiere@chu-poitiers.fr",
        "Correct-Horse-Battery-2026",
        institution=public.institution,
        public=public,
        secondary_email="claire.perso@example.org",
        secondary_email_verified_at=timezone.now() - datetime.timedelta(days=2),
    )
    cases = {
        "unknown identifier": ("personne@chu-poitiers.fr", "claire.perso@example.org"),
        "wrong contact": ("infirmiere@chu-poitiers.fr", "autre@example.org"),
        "match (code queued)": ("infirmiere@chu-poitiers.fr", "claire.perso@example.org"),
    }
    timings = measure(cases, args.rounds)
    base = statistics.median(timings["unknown identifier"])
    print(f"{'case':24} {'median ms':>10} {'p90 ms':>8} {'vs unknown':>11}")
    for name, values in timings.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:24} {median:10.2f} {p90:8.2f} {median - base:+10.2f}")
    print(f"rounds: {args.rounds} per case, interleaved; database: SQLite in {var}")


if __name__ == "__main__":
    main()
