"""The worker's side. No huey retries: the outbox row holds the retry state and the
minutely sweep acts on it, so a lost queue entry only delays a message."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from notify import actions


# huey ships no type information: its decorators are Any to the checker.
@db_task()  # type: ignore[untyped-decorator]
def deliver_task(message_id: int) -> bool:
    return actions.deliver(message_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def sweep_task() -> int:
    return actions.sweep()
