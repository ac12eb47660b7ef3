"""The estimated delay of a first response, shown before filing. Pure.

From the queue (tickets waiting for a first answer) and how long recent first answers took
(opening hours only), plus the wait until the desk reopens; never outside the seed's
« 30 minutes à 48 heures selon charge ».
"""

from datetime import timedelta
from statistics import median

FLOOR = timedelta(minutes=30)
CEILING = timedelta(hours=48)
# With no history yet: what a desk of a few agents usually manages.
DEFAULT_HANDLING = timedelta(hours=1)
# Each ticket already waiting adds this much (one agent's time for a simple request).
PER_QUEUED = timedelta(minutes=10)


def estimate(*, queued: int, recent_seconds: list[float], until_open: timedelta = timedelta(0)) -> timedelta:
    handling = timedelta(seconds=median(recent_seconds)) if recent_seconds else DEFAULT_HANDLING
    guess = until_open + handling + PER_QUEUED * max(queued, 0)
    return min(max(guess, FLOOR), CEILING)


def in_words(delay: timedelta) -> tuple[int, str]:
    """(number, unit) rounded the way people say it: 30 minutes, 2 hours, 48 hours."""
    minutes = int(delay.total_seconds() // 60)
    if minutes < 53:  # 45 minutes said as such; from there on, hours
        return max(30, round(minutes / 15) * 15), "minutes"
    return max(1, min(48, round(minutes / 60))), "hours"
