from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import requests


@db_task()  # type: ignore[untyped-decorator]  # huey ships no types
def process_request_task(request_id: int) -> bool:
    return requests.process(request_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no types
def sweep_requests_task() -> int:
    # Requests whose queue entry was lost or whose worker died: none is lost, only late.
    return requests.process_due()
