"""Finding 8: reset requests lived only as queue tasks; a lost queue lost 10 of 10 while
the people were told a code was sent, and a message caught in a worker crash went out 11
minutes late (an SMS code then arrives expired).

Ten requests are made with the queue "lost" (the enqueue of each is dropped in this
process, as if the queue file had vanished before the worker read it), and one outbox
message is left as a crashed worker leaves it (claimed, never finished). Then nothing but
the running worker's minutely sweep: how many requests got their code, how late the
crashed message went out. Waits for the sweep (up to two minutes: the claim goes stale
after one, the sweep runs each minute).
"""

import secrets
import time
from unittest import mock

FINDINGS = (8,)
TITLE = "Nothing promised is lost"
REQUESTS = 10


def run(target) -> dict:
    from django.db import transaction
    from django.test import RequestFactory
    from django.utils import timezone

    from notify.actions import queue_email
    from notify.models import Message
    from recovery import actions
    from recovery.models import ResetRequest

    suffix = secrets.token_hex(3)
    people = target.accounts([f"bench.f8.{suffix}.{n}@etu.univ-poitiers.fr" for n in range(REQUESTS)])
    factory = RequestFactory()
    with mock.patch("recovery.tasks.process_request_task", lambda *a, **k: None):  # the queue is lost
        for n, person in enumerate(people):
            request = factory.post("/password/reset/", REMOTE_ADDR=f"192.0.2.{100 + n}", HTTP_HOST="127.0.0.1")
            with transaction.atomic():
                actions.request_code(request, person.identifier, "email", person.secondary_email)
    rows = ResetRequest.objects.filter(processed_at__isnull=True).count()

    crashed_person = target.account(f"bench.f8.crash.{suffix}@etu.univ-poitiers.fr")
    with mock.patch("notify.tasks.deliver_task", lambda *a, **k: None), transaction.atomic():
        crashed = queue_email(
            to=crashed_person.secondary_email,
            template="password_changed",
            context={"account": crashed_person, "when": timezone.now()},
            language="fr",
            purpose="recovery.password_changed",
            account=crashed_person,
        )
    crashed_at = timezone.now()
    Message.objects.filter(pk=crashed.pk).update(status=Message.SENDING, claimed_at=crashed_at)

    codes = Message.objects.filter(account__in=people, purpose="recovery.code")
    deadline = time.monotonic() + 130  # the stale claim ripens after a minute, the sweep runs each minute
    while time.monotonic() < deadline:
        crashed.refresh_from_db()
        if codes.count() >= REQUESTS and crashed.status == Message.SENT:
            break
        time.sleep(1)
    crashed.refresh_from_db()
    late = (crashed.sent_at - crashed_at).total_seconds() if crashed.sent_at else None
    answered = codes.values("account").distinct().count()
    return {
        "figures": {
            "requests written as rows with the queue lost": f"{rows} of {REQUESTS}",
            "requests answered with a code by the sweep": f"{answered} of {REQUESTS}",
            "crashed worker's message sent after": f"{late:.0f} s" if late is not None else "never",
        },
        "checks": {
            "0 reset requests lost when the queue is lost": answered == REQUESTS,
            "a crashed worker's message retried within two minutes": late is not None and late <= 120,
        },
    }
