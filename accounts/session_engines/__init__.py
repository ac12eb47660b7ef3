"""Session engines that write a session once per sign-in (issue 15: the sign-in POST paid a
SELECT for a fresh key, an INSERT of it, then an UPDATE with the same data).

- A new key (cycle_key at sign-in, a first session) is not written when it is drawn, only
  when the session is saved; 32 random characters of 36 never meet an existing key in
  practice, and if one ever did the create-only write fails and another key is drawn.
- A save that would write exactly what this very store wrote last is skipped: sign-in
  saves inside its transaction, the middleware then finds nothing new to write.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase
from django.utils.crypto import get_random_string

KEY_ATTEMPTS = 5


class WriteOnce(SessionBase):
    """Mixed in before a backend's SessionStore (db or cache)."""

    _unwritten_key = False
    _written: bytes | None = None

    def create(self) -> None:
        self._session_key = get_random_string(32, VALID_KEY_CHARS)
        self._unwritten_key = True
        self._written = None
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        data = self._get_session(no_load=must_create or self._unwritten_key)  # type: ignore[attr-defined]  # SessionBase's, not in the stubs
        snapshot = self.serializer().dumps(data)
        if self._session_key is None or self._unwritten_key:
            self._first_write()
        elif must_create or snapshot != self._written:
            super().save(must_create=must_create)
        self._written = snapshot

    def _first_write(self) -> None:
        for _attempt in range(KEY_ATTEMPTS):
            if self._session_key is None:
                self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = None
                continue
            self._unwritten_key = False
            return
        raise CreateError("No free session key after several draws.")
