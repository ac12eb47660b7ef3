"""The worker's side. No huey retries: the outbox row holds the retry state and the
minutely sweep acts on it, so a lost queue entry only delays a message."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from notify import actions


@db_task()
def deliver_task(message_id: int) -> bool:
    return actions.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_task() -> int:
    return actions.sweep()
