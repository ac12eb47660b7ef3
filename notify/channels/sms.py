"""SMS: `send(message)` hands the message to the backend GUICHET_SMS_BACKEND names.

Each backend is one module of the same shape, `sms_<name>.py` with `send(message) -> str`
returning the provider's reference for the message; it raises ChannelUnavailable (or any
error) for what is worth trying again and PermanentFailure for what is not.

- `brevo`: Brevo's transactional SMS API, the real thing.
- `file`, and `console` as its alias: the demo's; each SMS becomes a file under var/sms/.
  Not the console or the log, although the name says so: an SMS may carry a recovery code,
  and logs must never hold one.
- empty: not configured; SMS wait in the outbox, retried, until a backend is set.

A site's own provider can be named by the dotted path of its `send` callable.
"""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import Message
from .errors import ChannelUnavailable

Backend = Callable[[Message], str]

BACKENDS = {
    "brevo": "notify.channels.sms_brevo",
    "file": "notify.channels.sms_file",
    "console": "notify.channels.sms_file",
}


def send(message: Message) -> str:
    name = getattr(settings, "GUICHET_SMS_BACKEND", "")
    if not name:
        raise ChannelUnavailable("no SMS provider configured")
    if name in BACKENDS:
        backend: Backend = import_module(BACKENDS[name]).send
        return backend(message)
    if "." not in name:
        # A typo must not lose messages: they stay queued until the setting is fixed.
        raise ChannelUnavailable(f"unknown SMS backend {name!r}")
    custom: Backend = import_string(name)
    return custom(message)
