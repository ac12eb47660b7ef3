"""One module per channel, each with `send(message)`: returns when the message is handed
over, raises anything on failure (the outbox retries)."""

from . import email, sms
from .errors import ChannelUnavailable

CHANNELS = {"email": email, "sms": sms}

__all__ = ["CHANNELS", "ChannelUnavailable"]
