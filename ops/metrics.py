"""Prometheus series for operators.

Requests by view and status come from django-prometheus's middleware. Sign-ins, resets and
every audit event are counted from the audit log's commit signal, so a series never counts
a change that was rolled back and no view has to remember to count. Outbox, queue, worker
and status-probe figures are read from the tables when /metrics is scraped (they are state, not
events, and must agree across nodes).

With several gunicorn workers, PROMETHEUS_MULTIPROC_DIR must name an empty directory shared
by them (`make run` and deploy/ set it): each worker writes its counters there.
"""

import os
from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

EVENTS = Counter("guichet_audit_events", "Audit events by code.", ["code"])
SIGNINS = Counter("guichet_signins", "Sign-in attempts by outcome.", ["outcome"])
RESETS = Counter("guichet_resets", "Password-reset events by channel and step.", ["channel", "step"])

SIGNIN_PREFIX = "accounts.signin."
RESET_PREFIXES = ("recovery.request.", "recovery.code.", "support.reset", "hr.request.")


def count_event(sender: object, *, code: str, data: dict[str, Any], **_kwargs: object) -> None:
    EVENTS.labels(code).inc()
    if code.startswith(SIGNIN_PREFIX):
        SIGNINS.labels(code.removeprefix(SIGNIN_PREFIX)).inc()
    elif code.startswith(RESET_PREFIXES):
        RESETS.labels(str(data.get("channel") or "-"), code).inc()


class StateCollector(Collector):
    """Figures read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        from huey.contrib.djhuey import HUEY

        from notify.models import Message

        from .models import Heartbeat

        messages = GaugeMetricFamily(
            "guichet_outbox_messages", "Outbox messages by channel and state.", labels=["channel", "state"]
        )
        counts = Message.objects.values("channel", "status").annotate(n=Count("pk")).order_by()
        for row in counts:
            messages.add_metric([row["channel"], row["status"]], row["n"])
        yield messages
        yield GaugeMetricFamily(
            "guichet_queue_depth", "Tasks waiting in the worker's queue.", value=HUEY.pending_count()
        )
        ages = GaugeMetricFamily(
            "guichet_heartbeat_age_seconds", "Seconds since each periodic process last beat.", labels=["name"]
        )
        now = timezone.now()
        for name, at in Heartbeat.objects.values_list("name", "at"):
            ages.add_metric([name], (now - at).total_seconds())
        yield ages


class ProbeCollector(Collector):
    """The status probes' last result per target, read at scrape time (ops reads status's
    tables; status knows nothing of ops). A probe that never ran yet has no series."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import OuterRef, Subquery

        from status.models import ProbeResult, ProbeTarget

        labels = ["platform", "probe", "target"]
        up = GaugeMetricFamily("guichet_probe_up", "1 if the probe's last check succeeded, else 0.", labels=labels)
        latency = GaugeMetricFamily(
            "guichet_probe_latency_seconds", "The probe's last measured latency.", labels=labels
        )
        age = GaugeMetricFamily("guichet_probe_age_seconds", "Seconds since the probe's last check.", labels=labels)
        latest = ProbeResult.objects.filter(target=OuterRef("pk")).order_by("-checked_at")
        targets = ProbeTarget.objects.filter(enabled=True).annotate(
            last_ok=Subquery(latest.values("ok")[:1]),
            last_ms=Subquery(latest.values("latency_ms")[:1]),
            last_at=Subquery(latest.values("checked_at")[:1]),
        )
        now = timezone.now()
        for target in targets.select_related("platform").order_by("pk"):
            if target.last_at is None:
                continue
            names = [target.platform.slug, target.kind, f"{target.host}:{target.port}"]
            up.add_metric(names, 1.0 if target.last_ok else 0.0)
            if target.last_ms is not None:
                latency.add_metric(names, target.last_ms / 1000)
            age.add_metric(names, (now - target.last_at).total_seconds())
        yield from (up, latency, age)


def exposition() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
    else:
        registry.register(REGISTRY)
    registry.register(StateCollector())
    registry.register(ProbeCollector())
    return generate_latest(registry)
