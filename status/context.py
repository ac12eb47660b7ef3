"""The banner on every page, cheaply: read from the database at most every
GUICHET_STATUS_BANNER_TTL seconds per language and set-up revision. Any incident change
moves the revision (status/signals.py) and so shows at once; a planned maintenance that
starts by the clock shows within the TTL, and cached anonymous pages follow through the
minutely `refresh_banners` task, which moves the revision when the set under way changes."""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import get_language

from orientation.cache import current_revision

from . import queries


def banners(request: HttpRequest) -> dict[str, list[queries.Banner]]:
    found: list[queries.Banner]
    try:
        key = f"status:banners:{current_revision()}:{get_language()}"
        found = cache.get(key)
        if found is None:
            found = queries.banners()
            cache.set(key, found, settings.GUICHET_STATUS_BANNER_TTL)
    except DatabaseError:  # the error page of a database outage must still render
        found = []
    return {"status_banners": found}
