"""Health, readiness and metrics for load balancers and monitoring. Unprefixed, never cached."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from audit.actions import client_ip

from . import metrics
from .actions import WORKER
from .models import Heartbeat

# The worker beats every minute; three missed beats mean it is gone, not merely busy.
HEARTBEAT_MAX_AGE = timedelta(minutes=3)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: database, Redis (when configured) and a living worker.

    A load balancer takes a node out while this answers 503; /healthz only says the
    process is alive, so the orchestrator restarts it only when that fails.
    """
    checks = {"database": _database(), "worker": _worker()}
    if settings.REDIS_URL:
        checks["redis"] = _redis()
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not ready", whatever its class
        return "unavailable"
    return "ok"


def _redis() -> str:
    try:
        cache.set("ops:readyz", 1, 5)
        return "ok" if cache.get("ops:readyz") == 1 else "unavailable"
    except Exception:
        return "unavailable"


def _worker() -> str:
    try:
        at = Heartbeat.objects.filter(name=WORKER).values_list("at", flat=True).first()
    except Exception:
        return "unknown"
    if at is None:
        return "never_seen"
    return "ok" if timezone.now() - at <= HEARTBEAT_MAX_AGE else "stale"


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, for the addresses in GUICHET_METRICS_ALLOWED (loopback by default)."""
    if not _allowed(client_ip(request)):
        return HttpResponse(status=404)
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def _allowed(ip: str | None) -> bool:
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.GUICHET_METRICS_ALLOWED)
