"""The worker's side: probes every few minutes, the banner check every minute."""

from django.conf import settings
from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from institutions.models import Revision

from . import actions, queries


# huey ships no type information: its decorators are untyped to mypy.
@db_periodic_task(crontab(minute="*/3"))  # type: ignore[untyped-decorator]
def probe_task() -> int:
    if not settings.GUICHET_STATUS_PROBES:
        return 0
    return actions.run_probes()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey: untyped
def refresh_banners_task() -> bool:
    return refresh_banners()


def refresh_banners() -> bool:
    """Move the set-up revision when what is under way changed by the clock alone (a planned
    maintenance starting or ending), so cached pages and banners follow within a minute."""
    under_way = ",".join(sorted(str(i.id) for i in queries.open_incidents()))
    key = "status:under-way"
    if cache.get(key) == under_way:
        return False
    # Also on the worker's first look (nothing to compare with): one needless bump at most.
    cache.set(key, under_way, None)
    Revision.bump()
    return True
