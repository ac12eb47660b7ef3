import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
application = get_wsgi_application()


def _refuse_without_keys() -> None:
    """A worker does not boot with a missing or broken key: it would answer 500s (or worse,
    a regenerated key would silently invalidate every link and token already handed out)."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from guichet.checks import KEYS_TAG

    errors = [e for e in checks.run_checks(tags=[KEYS_TAG]) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("Guichet will not start:\n" + "\n".join(f"{e.msg}\n  {e.hint}" for e in errors))


_refuse_without_keys()
