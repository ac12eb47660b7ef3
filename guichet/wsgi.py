import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

from guichet.microcache import MicroCache, count_in_request_metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
django_application = get_wsgi_application()


def _refuse_without_keys() -> None:
    """A worker does not boot with a missing or broken key: it would answer 500s (or worse,
    a regenerated key would silently invalidate every link and token already handed out)."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from guichet.checks import KEYS_TAG

    errors = [e for e in checks.run_checks(tags=[KEYS_TAG]) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("Guichet will not start:\n" + "\n".join(f"{e.msg}\n  {e.hint}" for e in errors))


def _wrap(django_app: WSGIHandler) -> MicroCache:
    from django.conf import settings

    from orientation.cache import SHARED_HEADER

    return MicroCache(
        django_app,
        settings.GUICHET_MICROCACHE_SECONDS,
        settings.LANGUAGE_COOKIE_NAME,
        SHARED_HEADER,
        prefixes=tuple(f"/{code}/" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE),
        count=count_in_request_metrics,
    )


_refuse_without_keys()
# Shared anonymous pages from the worker's memory first (guichet/microcache.py), then Django.
application = _wrap(django_application)
