"""SESSION_ENGINE on the scale-out path (Redis): cached sessions written once (see the package)."""

from django.contrib.sessions.backends import cache

from . import WriteOnce


class SessionStore(WriteOnce, cache.SessionStore):
    pass
