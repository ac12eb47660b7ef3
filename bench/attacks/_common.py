"""What every attack module gets from bench/attack.py: the target, browsers, accounts, threads.

Imported after django.setup(), so the ORM is ready.
"""

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from django.contrib.auth.hashers import make_password
from django.utils import timezone

T = TypeVar("T")
R = TypeVar("R")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "Correct-Horse-Battery-2026"  # noqa: S105 - the victims' password, a bench fixture


class Browser:
    """One browser at one address: keeps its cookies, fills in the CSRF token, never follows redirects."""

    def __init__(self, base_url: str, ip: str | None = None, user_agent: str = "Mozilla/5.0 (attack bench)") -> None:
        self.base_url = base_url
        self.ip = ip
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        if ip:
            self.session.headers["X-Forwarded-For"] = ip

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(self.base_url + path, timeout=60, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> requests.Response:
        """POST with the CSRF cookie and token, fetched from `path` (GET) on first use."""
        token = self.csrf_token(path)
        kwargs.setdefault("allow_redirects", False)
        headers = {"Referer": self.base_url + path, **kwargs.pop("headers", {})}
        return self.session.post(
            self.base_url + path, data={"csrfmiddlewaretoken": token, **data}, headers=headers, timeout=60, **kwargs
        )

    def csrf_token(self, path: str) -> str:
        token = self.session.cookies.get("csrftoken")
        if token:
            return str(token)
        page = self.get(path)
        found = CSRF_INPUT.search(page.text)
        return found.group(1) if found else str(self.session.cookies.get("csrftoken", ""))


@dataclass
class Target:
    base_url: str
    started: bool  # True when bench/attack.py started this instance (fresh database)
    _hash: dict[str, str] = field(default_factory=dict)

    def browser(self, ip: str | None = None, user_agent: str = "Mozilla/5.0 (attack bench)") -> Browser:
        return Browser(self.base_url, ip, user_agent)

    def account(self, identifier: str, password: str = PASSWORD, **fields: Any) -> Any:
        """Create (or reset) an account whose domain is in the set-up, with verified contacts by default."""
        return self.accounts([identifier], password, **fields)[0]

    def accounts(self, identifiers: Iterable[str], password: str = PASSWORD, **fields: Any) -> list[Any]:
        """Many accounts at once, hashing the shared password once (500 hashes would take minutes)."""
        from accounts.models import Account, normalize_identifier
        from institutions import queries

        if password not in self._hash:
            self._hash[password] = make_password(password)
        now = timezone.now()
        made = []
        for identifier in identifiers:
            identifier = normalize_identifier(identifier)
            public = queries.route(identifier).target
            defaults = {
                "institution": public.institution,
                "public": public,
                "platform": public.platform,
                "directory": "database",
                "password": self._hash[password],
                "secondary_email": f"{identifier.split('@')[0]}@example.org",
                "secondary_email_verified_at": now - timezone.timedelta(days=2),
                "status": Account.ACTIVE,
                **fields,
            }
            account, _ = Account.objects.update_or_create(identifier=identifier, defaults=defaults)
            made.append(account)
        return made

    def parallel(self, fn: Callable[[T], R], items: Iterable[T], workers: int = 32) -> list[R]:
        """fn over items on `workers` threads at once; results in the order of items."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))
