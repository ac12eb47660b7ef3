"""The one keyed hash of Guichet: every value that must be matchable but never readable
(throttle keys, recovery codes, tickets, pairwise subjects) is stored as this digest.

It lives in audit, the floor every app that handles a secret already depends on, so that no
app needs an upper one for it. Each caller keeps its own salt: a salt names a purpose, and
changing one would orphan what was stored under it (pairwise subjects must never move).
"""

from django.utils.crypto import salted_hmac


def keyed_hash(salt: str, value: str, *, algorithm: str = "sha256") -> str:
    """Hex HMAC of `value` under a key derived from SECRET_KEY and `salt`."""
    return salted_hmac(salt, value, algorithm=algorithm).hexdigest()
