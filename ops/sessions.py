"""Sessions in Redis that say so when Redis is gone.

Django's cache session store reads a failing cache as « no session »: with Redis down every
signed-in person would silently find themselves signed out, then fail to sign in again. This
store lets the connection error through instead, so the person gets the outage page
(ops/outage.py: 503, in their language) and finds their session intact when Redis is back.
"""

from typing import Any

from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore

from accounts.session_engines import WriteOnce

from .outage import OUTAGE_ERRORS


class SessionStore(WriteOnce, CacheSessionStore):
    # Written once like accounts' cache engine (a new key only when saved, no identical rewrite).
    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)  # type: ignore[attr-defined]  # Django's, not in the stubs
        except OUTAGE_ERRORS:
            raise
        except Exception:  # a key the backend refuses: no session, as Django does (#17810)
            data = None
        if data is not None:
            return data  # type: ignore[no-any-return]
        self._session_key = None
        return {}
