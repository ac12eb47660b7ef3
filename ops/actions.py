"""State changes of the ops app."""

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def beat(name: str = WORKER, *, now: datetime | None = None) -> Heartbeat:
    """Record that `name` is alive. Not audited: it runs every minute and says nothing new."""
    heartbeat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})
    return heartbeat
