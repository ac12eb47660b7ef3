"""Two workers recording the failure that crosses the threshold at the same moment open one
incident, not two (the platform row is locked while it is decided)."""

import threading

import pytest
from django.db import OperationalError, connection

from institutions.loader import load
from institutions.models import Platform
from status import actions
from status.models import Incident, ProbeTarget
from status.probes import Outcome


@pytest.mark.django_db(transaction=True)
def test_simultaneous_failures_open_a_single_incident(settings):
    load(settings.GUICHET_SETUP_FILE)
    settings.GUICHET_STATUS_FAILURES = 3
    zimbra = Platform.objects.get(slug="zimbra")
    targets = [
        ProbeTarget.objects.create(platform=zimbra, kind=kind, host="127.0.0.1", port=port, consecutive_failures=2)
        for kind, port in (("imap", 993), ("smtp", 465), ("https", 443), ("imap_login", 993))
    ]
    failure = Outcome(False, None, "refused", "connection refused")
    start = threading.Barrier(len(targets))
    errors = []

    def worker(target):
        try:
            start.wait(timeout=10)
            for _ in range(100_000):
                try:
                    actions.record_outcome(target, failure)
                    break
                except OperationalError as error:
                    # The in-memory SQLite of the tests answers « locked » at once where a real
                    # database file waits (busy_timeout): try again at once. PostgreSQL blocks
                    # on the row lock itself and never gets here.
                    if "locked" not in str(error):
                        raise
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Incident.objects.filter(platform=zimbra, automatic=True, ends_at__isnull=True).count() == 1
