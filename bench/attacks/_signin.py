"""Helpers shared by the sign-in and recovery attacks (findings 4 to 7 and 9)."""

import re
import threading
from typing import Any

from attacks._common import PASSWORD, Browser, Target

PACE = re.compile(r'name="pace" value="([^"]*)"')
_local = threading.local()


def browser(target: Target) -> Browser:
    """One browser per thread (a requests session is not shared across threads)."""
    if getattr(_local, "browser", None) is None or _local.browser.base_url != target.base_url:
        _local.browser = target.browser()
    return _local.browser


def sign_in(
    target: Target, identifier: str, password: str, ip: str, *, who: Browser | None = None, **extra: str
) -> int:
    """POST the sign-in form from `ip`; 302 signed in, 200 a wrong password, 429 refused."""
    b = who or browser(target)
    data = {"identifier": identifier, "password": password, **extra}
    return b.post("/login/", data, headers={"X-Forwarded-For": ip}).status_code


def post(target: Target, path: str, data: dict[str, str], ip: str, who: Browser | None = None) -> Any:
    return (who or browser(target)).post(path, data, headers={"X-Forwarded-For": ip})


def trusted_browser(target: Target, identifier: str, ip: str) -> Browser:
    """A browser that signed in to the account once (it now carries the device cookie)."""
    b = target.browser(ip)
    assert b.post("/login/", {"identifier": identifier, "password": PASSWORD}).status_code == 302
    b.post("/logout/", {})
    return b


def failures_of(identifier: str) -> int:
    """Passwords actually evaluated and found wrong for this identifier (from the audit log)."""
    from accounts.models import Account
    from audit.models import Event

    account = Account.objects.filter(identifier=identifier).first()
    return Event.objects.filter(code="accounts.signin.failure", subject=account).count() if account else 0
