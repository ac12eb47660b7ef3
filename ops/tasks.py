from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


@db_periodic_task(crontab(minute="*"))
def heartbeat_task() -> None:
    # /readyz reports the worker down when this row is older than a few beats.
    actions.beat()
