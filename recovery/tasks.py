from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import requests


@db_task()
def process_request_task(request_id: int) -> bool:
    return requests.process(request_id)


@db_periodic_task(crontab(minute="*"))
def sweep_requests_task() -> int:
    # Requests whose queue entry was lost or whose worker died: none is lost, only late.
    return requests.process_due()
