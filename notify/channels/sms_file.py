"""The demo's SMS backend: each SMS becomes a file, like Django's file e-mail backend.

GUICHET_SMS_FILE_PATH (var/sms/) gets `<UTC timestamp>-<message id>.txt`, readable by its
owner only: the text may be a recovery code. Nothing of the body goes to the log.
"""

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import Message


def send(message: Message) -> str:
    folder = Path(settings.GUICHET_SMS_FILE_PATH)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%d-%H%M%S}-{message.pk}.txt"
    text = (
        f"To: {message.to}\n"
        f"Purpose: {message.purpose}\n"
        f"Language: {message.language}\n"
        f"Message: {message.pk}\n"
        f"\n{message.body_text}\n"
    )
    # Created 0600 from the start rather than chmod-ed afterwards.
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return name
