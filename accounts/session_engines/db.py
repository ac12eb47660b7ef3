"""SESSION_ENGINE on the embedded path: database sessions written once (see the package)."""

from django.contrib.sessions.backends import db

from . import WriteOnce


class SessionStore(WriteOnce, db.SessionStore):
    pass
