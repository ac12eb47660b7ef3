class ChannelUnavailable(Exception):
    """The channel cannot send at all right now (e.g. not configured); a retryable failure."""


class PermanentFailure(Exception):
    """The provider refused this message for good (e.g. an invalid number): trying again cannot
    help, so the outbox abandons it at once instead of retrying it for hours."""
