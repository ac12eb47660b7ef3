"""When to try a message again: pure arithmetic, no I/O."""

from datetime import timedelta

# Seconds to wait after the 1st, 2nd, … failed attempt; the last value repeats.
BACKOFF = (30, 60, 120, 300, 600, 1800, 3600)
# About 15 hours of trying in all: long enough to ride out an SMTP outage over a night.
MAX_ATTEMPTS = 20
# A message claimed longer ago than this lost its worker: a send takes at most the SMTP or
# SMS timeout (10 to 15 seconds), so a minute is safe, and the minutely sweep then retries a
# crashed worker's message within two minutes at worst rather than ten.
STALE_AFTER = timedelta(minutes=1)
# A code must leave this much of its life to the person, or it is re-issued instead of sent.
MIN_VALIDITY_LEFT = timedelta(minutes=3)


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed attempts (attempts >= 1)."""
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])
