import pytest
from django.conf import settings
from django.core.cache import cache

pytest_plugins = ["guichet.testing.browser", "notify.testing", "accounts.testing.slapd"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Page and throttle caches must not leak between tests (locmem or Redis alike).
    cache.clear()
    yield


@pytest.fixture
def poitiers(db):
    """The shipped Poitiers set-up, loaded the way `make run` loads it."""
    from institutions.loader import load

    load(settings.GUICHET_SETUP_FILE)
