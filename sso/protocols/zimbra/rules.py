"""Zimbra preauth: Guichet signs a short-lived URL with the domain's preauth key.

Zimbra computes HMAC-SHA1 over "account|by|expires|timestamp" with the hex key string
as the key (its bytes as they are, not decoded), timestamp in milliseconds, and accepts
it within ±5 minutes of its own clock at /service/preauth.
"""

import hashlib
import hmac
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def preauth_key(domain: str) -> str:
    """From GUICHET_ZIMBRA_PREAUTH_KEYS (domain=key,…) or GUICHET_ZIMBRA_PREAUTH_KEY_FILE."""
    keys: dict[str, str] = dict(settings.GUICHET_ZIMBRA_PREAUTH_KEYS)
    if domain in keys:
        return keys[domain]
    folder = settings.GUICHET_ZIMBRA_PREAUTH_KEY_DIR
    if folder and (Path(folder) / domain).exists():
        try:  # unreadable or empty is as good as missing: never sign with a blank key
            key = (Path(folder) / domain).read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(f"Zimbra preauth key for {domain} cannot be read") from error
        if key:
            return key
    raise ImproperlyConfigured(f"no Zimbra preauth key for {domain}")


def preauth_value(key: str, account: str, by: str, expires: int, timestamp: int) -> str:
    message = f"{account}|{by}|{expires}|{timestamp}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha1).hexdigest()


def preauth_url(
    base_url: str, key: str, account: str, *, by: str = "name", expires: int = 0, now_ms: int | None = None
) -> str:
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    params = {
        "account": account,
        "by": by,
        "timestamp": timestamp,
        "expires": expires,
        "preauth": preauth_value(key, account, by, expires, timestamp),
    }
    return f"{base_url}?{urlencode(params)}"
