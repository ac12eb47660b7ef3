"""The worker's side of support: hand-offs and polling of helpdesks, and the retention purge."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import handoff
from .actions import purge_expired


@db_task()
def handoff_task(ticket_id: int) -> bool:
    return handoff.hand_off(ticket_id)


@db_periodic_task(crontab(minute="*/5"))
def helpdesk_sync_task() -> tuple[int, int]:
    return handoff.sweep()


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_task() -> int:
    return purge_expired()
