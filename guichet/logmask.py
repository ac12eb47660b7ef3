"""Nothing that opens an account reaches a log line: tokens and tickets are masked.

Used in two places: the LOGGING filter on every handler (Django's own « Not Found: /… »
lines, libraries, our loggers), and gunicorn's access log (`--logger-class
guichet.logmask.AccessLogger`, which `make run` passes). Pure text rewriting, no I/O.
"""

import logging
import re

from gunicorn.glogging import Logger

MASK = "…"
# Query or form parameters whose value lets the holder act as someone: CAS tickets, OAuth
# codes and tokens, logout tokens, Zimbra preauth, SAML artifacts, reset codes.
SECRET_PARAMETERS = (
    "ticket",
    "code",
    "token",
    "access_token",
    "refresh_token",
    "id_token_hint",
    "logout_token",
    "client_secret",
    "preauth",
    "samlart",
    "password",
    "pgt",
    "pgtiou",
)
_PARAMETER = re.compile(
    r"(?P<name>(?<![A-Za-z0-9_])(?:" + "|".join(SECRET_PARAMETERS) + r"))(?P<eq>=|%3D)(?P<value>[^&\s\"';#]+)",
    re.IGNORECASE,
)
# Secrets carried in the path itself: the reset link (/password/reset/lien/<token>/, with or
# without the /en/ prefix) and CAS-style ticket ids wherever they appear.
_PATH = re.compile(r"(?P<prefix>/(?:reset/lien|reset/link)/)(?P<value>[^/\s?\"']+)")
_TICKET = re.compile(r"\b(?P<kind>ST|PT|TGT|PGT)-[A-Za-z0-9.\-_]{8,}")
_BEARER = re.compile(r"(?P<scheme>Bearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)


def mask(text: str) -> str:
    """`text` with every token, ticket, code and reset link replaced by « … »."""
    if not text:
        return text
    text = _PARAMETER.sub(lambda m: f"{m['name']}{m['eq']}{MASK}", text)
    text = _PATH.sub(lambda m: f"{m['prefix']}{MASK}", text)
    text = _TICKET.sub(lambda m: f"{m['kind']}-{MASK}", text)
    return _BEARER.sub(lambda m: f"{m['scheme']}{MASK}", text)


class MaskingFilter(logging.Filter):
    """A logging filter that renders the record's message, masks it and keeps it rendered."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# gunicorn ships no type information: its Logger is Any to the checker.
class AccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with every token, ticket and reset link masked in the access log."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        # Every atom a format may name: the request line, path, query, referer, and the
        # {header}i, {header}o and {variable}e ones (Authorization, Location, RAW_URI…).
        return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}
