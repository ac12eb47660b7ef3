"""Opening hours of a support desk: open now? until when? reopening when? how many opening
seconds between two instants (SLA clocks)? Pure arithmetic on a Schedule; no database.

Hours are wall-clock times in Europe/Paris; a range is half-open, so at 17:30 sharp a desk
open « 13:30-17:30 » is closed. French public holidays come from the `holidays` library
(moving feasts included: Easter Monday, Ascension, Whit Monday), closures from the set-up.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far to look for the next opening (a desk closed for good answers None).
HORIZON_DAYS = 400


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("FR", years=year, language="fr"))


def public_holiday(day: date) -> str:
    """The holiday's French name, or "" on a working day."""
    return _french_holidays(day.year).get(day, "")


@dataclass(frozen=True)
class Schedule:
    # weekday (0 = Monday) → [(opens, closes)], sorted
    weekly: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    closures: tuple[tuple[date, date], ...] = ()

    @classmethod
    def from_setup(cls, hours: dict[str, list[str]] | None, closures: list[dict[str, str]] | None = None) -> "Schedule":
        """From the set-up file: {"monday": ["08:30-12:00", …]}, [{"start": date, "end": date}]."""
        weekly: dict[int, tuple[tuple[time, time], ...]] = {}
        for name, ranges in (hours or {}).items():
            parsed: list[tuple[time, time]] = []
            for text in ranges:
                start, end = text.split("-")
                parsed.append((time.fromisoformat(start), time.fromisoformat(end)))
            weekly[DAYS.index(name)] = tuple(sorted(parsed))
        shut = tuple((date.fromisoformat(c["start"]), date.fromisoformat(c["end"])) for c in closures or [])
        return cls(weekly=weekly, closures=shut)

    @property
    def known(self) -> bool:
        return any(self.weekly.values())

    def closed_all_day(self, day: date) -> bool:
        return bool(public_holiday(day)) or any(start <= day <= end for start, end in self.closures)

    def ranges_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.closed_all_day(day):
            return []
        return [
            (datetime.combine(day, start, PARIS), datetime.combine(day, end, PARIS))
            for start, end in self.weekly.get(day.weekday(), ())
        ]


@dataclass(frozen=True)
class Status:
    open: bool
    until: datetime | None = None  # when open: the closing time of the current range
    reopens: datetime | None = None  # when closed: the next opening


def status_at(schedule: Schedule, now: datetime) -> Status:
    local = now.astimezone(PARIS)
    for start, end in schedule.ranges_on(local.date()):
        if start <= local < end:
            return Status(True, until=end)
    return Status(False, reopens=next_opening(schedule, local))


def next_opening(schedule: Schedule, now: datetime) -> datetime | None:
    local = now.astimezone(PARIS)
    for offset in range(HORIZON_DAYS):
        for start, _end in schedule.ranges_on(local.date() + timedelta(days=offset)):
            if start > local:
                return start
    return None


def open_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Seconds of opening hours within [start, end): what an SLA clock counts."""
    if end <= start:
        return 0.0
    first, last = start.astimezone(PARIS).date(), end.astimezone(PARIS).date()
    total = 0.0
    for offset in range((last - first).days + 1):
        for opens, closes in schedule.ranges_on(first + timedelta(days=offset)):
            overlap = min(closes, end) - max(opens, start)
            total += max(overlap.total_seconds(), 0.0)
    return total


def add_open_seconds(schedule: Schedule, start: datetime, seconds: float) -> datetime | None:
    """The instant when `seconds` of opening hours will have passed after `start`."""
    local = start.astimezone(PARIS)
    left = seconds
    for offset in range(HORIZON_DAYS):
        for opens, closes in schedule.ranges_on(local.date() + timedelta(days=offset)):
            begin = max(opens, local)
            if begin >= closes:
                continue
            span = (closes - begin).total_seconds()
            if left <= span:
                return begin + timedelta(seconds=left)
            left -= span
    return None


# --- In words ----------------------------------------------------------------------------


def clock(moment: datetime) -> str:
    """« 17 h 30 », « 8 h » in French; « 5:30 pm », « 8 am » in English."""
    local = moment.astimezone(PARIS)
    if (get_language() or "fr")[:2] == "en":
        hour = local.hour % 12 or 12
        suffix = "am" if local.hour < 12 else "pm"
        return f"{hour}:{local.minute:02d} {suffix}" if local.minute else f"{hour} {suffix}"
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def describe(status: Status, now: datetime) -> str:
    """« Ouvert maintenant — jusqu'à 17 h 30 » / « Fermé — réouvre lundi à 8 h 30 »."""
    if status.open and status.until:
        return _("Ouvert maintenant — jusqu'à %(time)s") % {"time": clock(status.until)}
    if status.reopens is None:
        return _("Fermé")
    today = now.astimezone(PARIS).date()
    day = status.reopens.date()
    at = clock(status.reopens)
    if day == today:
        return _("Fermé — réouvre à %(time)s") % {"time": at}
    if day == today + timedelta(days=1):
        return _("Fermé — réouvre demain à %(time)s") % {"time": at}
    if day < today + timedelta(days=7):
        return _("Fermé — réouvre %(day)s à %(time)s") % {"day": WEEKDAYS[day.weekday()], "time": at}
    return _("Fermé — réouvre le %(date)s à %(time)s") % {"date": formats.date_format(day, "j F"), "time": at}


def weekly_lines(schedule: Schedule) -> list[tuple[str, str]]:
    """[(« lundi », « 8 h 30 – 12 h, 13 h 30 – 17 h 30 »), …] for the contact block."""
    lines = []
    for index in range(7):
        ranges = schedule.weekly.get(index, ())
        if ranges:
            anchor = date(2024, 1, 1)  # any date: clock() only reads the time
            text = ", ".join(
                f"{clock(datetime.combine(anchor, a, PARIS))} – {clock(datetime.combine(anchor, b, PARIS))}"
                for a, b in ranges
            )
            lines.append((str(WEEKDAYS[index]), text))
    return lines
