"""State changes of the ops app."""

from datetime import datetime
from pathlib import Path

from django.utils import timezone

from audit.actions import record

from . import backup, events
from .models import Heartbeat

WORKER = "worker"


def beat(name: str = WORKER, *, now: datetime | None = None) -> Heartbeat:
    """Record that `name` is alive. Not audited: it runs every minute and says nothing new."""
    heartbeat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})
    return heartbeat


def create_backup(output: Path) -> backup.Manifest:
    """Write the archive, then audit it (what and how much, never the archive's contents)."""
    manifest = backup.create(output)
    record(events.BACKUP_CREATED, engine=manifest.engine, files=len(manifest.files))
    return manifest


def restore_backup(archive: Path, *, force: bool = False) -> backup.Manifest:
    """Restore the archive, then audit it in the restored database."""
    manifest = backup.restore(archive, force=force)
    record(events.BACKUP_RESTORED, engine=manifest.engine, created_at=manifest.created_at)
    return manifest
