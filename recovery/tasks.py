from huey.contrib.djhuey import db_task

from . import actions


@db_task()
def process_request_task(identifier: str, channel: str, contact: str, ip: str | None, site: str) -> None:
    actions.process_request(identifier, channel, contact, ip, site)
