from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import reset_requests


@db_task()
def process_request_task(request_id: int) -> bool:
    return reset_requests.process(request_id)


@db_periodic_task(crontab(minute="*"))
def sweep_requests_task() -> int:
    # Requests whose queue entry was lost or whose worker died: none is lost, only late.
    return reset_requests.process_due()
