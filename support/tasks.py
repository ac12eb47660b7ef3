"""The worker's side of support: hand-offs and polling of helpdesks, and the retention purge."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import handoff
from .actions import purge_expired


# huey ships no type information: its decorators are untyped to mypy.
@db_task()  # type: ignore[untyped-decorator]
def handoff_task(ticket_id: int) -> bool:
    return handoff.hand_off(ticket_id)


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]  # huey: untyped
def helpdesk_sync_task() -> tuple[int, int]:
    return handoff.sweep()


@db_periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]  # huey: untyped
def purge_task() -> int:
    return purge_expired()
