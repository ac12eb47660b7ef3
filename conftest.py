import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

# Test support lives in the top-level testing/ package, never in the apps (nothing the site runs imports it).
pytest_plugins = ["testing.personas", "testing.browser", "testing.notify", "testing.slapd", "testing.support"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Page and throttle caches must not leak between tests (locmem or Redis alike), nor what a
    # process keeps per set-up revision: each test rolls the revision back at its end.
    from institutions.revision import forget

    cache.clear()
    forget()
    # And each test starts in the default language: a request to an English page leaves
    # English active in the thread (Django's locale middleware does not put it back).
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def poitiers(db):
    """The shipped Poitiers set-up, loaded the way `make run` loads it."""
    from institutions.loader import load

    load(settings.GUICHET_SETUP_FILE)
