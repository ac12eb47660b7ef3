"""/metrics exposes each series operators were promised, to allowed addresses only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.conftest import sign_in
from institutions.models import Platform
from notify.models import Message
from ops.tasks import heartbeat_task
from status.models import ProbeResult, ProbeTarget

pytestmark = pytest.mark.django_db(transaction=True)

SERIES = [
    "django_http_responses_total_by_status_view_method_total",  # requests by view and status
    "guichet_signins_total",  # sign-ins by outcome
    "guichet_resets_total",  # resets by channel
    "guichet_outbox_messages",  # messages by state
    "guichet_queue_depth",
    "guichet_heartbeat_age_seconds",
    "guichet_password_hash_seconds_bucket",
    "guichet_audit_events_total",
    "guichet_probe_up",  # probe results, by platform and probe
    "guichet_probe_latency_seconds",
    "guichet_probe_age_seconds",
]


def queued() -> Message:
    return Message.objects.create(channel="email", to="a@example.org", body_text="-", language="fr", purpose="t.m")


def probed(platform: str, *, ok: bool, kind: str = "https", seconds_ago: int = 30) -> ProbeTarget:
    target = ProbeTarget.objects.create(
        platform=Platform.objects.get(slug=platform), kind=kind, host=f"{kind}.{platform}.example.org", port=443
    )
    at = timezone.now() - timedelta(seconds=seconds_ago)
    ProbeResult.objects.create(target=target, checked_at=at - timedelta(minutes=5), ok=not ok, latency_ms=900)
    ProbeResult.objects.create(target=target, checked_at=at, ok=ok, latency_ms=120, error="" if ok else "timeout")
    return target


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


def value(text: str, prefix: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_every_promised_series_is_exposed(client, student, settings):
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher"]
    student.set_password("Another-Correct-Horse-2026")
    student.save()
    sign_in(client, student.get_username(), password="Another-Correct-Horse-2026")
    client.post("/password/reset/", {"identifier": student.get_username(), "channel": "email"})
    queued()
    probed("zimbra", ok=True)
    heartbeat_task.call_local()
    text = scrape(client)
    for series in SERIES:
        assert series in text, series


def test_sign_ins_are_counted_by_outcome_after_commit(client, student):
    before = value(scrape(client), 'guichet_signins_total{outcome="failure"}')
    sign_in(client, student.get_username(), password="wrong password, surely")
    sign_in(client, student.get_username())
    text = scrape(client)
    assert value(text, 'guichet_signins_total{outcome="failure"}') == before + 1
    assert value(text, 'guichet_signins_total{outcome="success"}') >= 1


def test_messages_are_counted_by_state(client, poitiers):
    queued()
    assert value(scrape(client), 'guichet_outbox_messages{channel="email"') >= 1


def test_metrics_are_refused_to_other_addresses(client, poitiers):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_probe_results_are_gauges_of_their_last_check(client, poitiers):
    probed("zimbra", ok=True)
    probed("zimbra", ok=False, kind="imap", seconds_ago=90)
    never = ProbeTarget.objects.create(platform=Platform.objects.get(slug="zimbra"), kind="smtp", host="s", port=465)
    text = scrape(client)
    labels = 'platform="zimbra",probe="https",target="https.zimbra.example.org:443"'
    assert value(text, f"guichet_probe_up{{{labels}}}") == 1.0
    assert value(text, f"guichet_probe_latency_seconds{{{labels}}}") == 0.12  # the last, not the older
    imap = 'platform="zimbra",probe="imap",target="imap.zimbra.example.org:443"'
    assert value(text, f"guichet_probe_up{{{imap}}}") == 0.0
    assert 89 <= value(text, f"guichet_probe_age_seconds{{{imap}}}") < 120
    assert f'target="{never.host}:{never.port}"' not in text  # never checked: no series yet
