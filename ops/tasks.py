from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


# huey ships no type information: its decorators are Any to the checker.
@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def heartbeat_task() -> None:
    # /readyz reports the worker down when this row is older than a few beats.
    actions.beat()
