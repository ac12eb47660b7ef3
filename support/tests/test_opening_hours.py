"""Opening hours: public holidays (moving feasts included), weekends, closures, the minute of
closing, and the words « Ouvert maintenant — jusqu'à 17 h 30 » / « Fermé — réouvre lundi à 8 h 30 »."""

from datetime import datetime, timedelta

from django.utils import translation

from support import hours

UNIVERSITY = hours.Schedule.from_setup(
    {d: ["08:30-12:00", "13:30-17:30"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
    [{"start": "2026-12-24", "end": "2027-01-01"}],
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=hours.PARIS)


def words(moment: datetime, language: str = "fr") -> str:
    with translation.override(language):
        return hours.describe(hours.status_at(UNIVERSITY, moment), moment)


def test_open_on_a_weekday_says_until_when():
    assert words(at("2027-05-04T10:00")) == "Ouvert maintenant — jusqu'à 12 h"
    assert words(at("2027-05-04T16:00")) == "Ouvert maintenant — jusqu'à 17 h 30"


def test_at_the_minute_of_closing_the_desk_is_closed():
    assert words(at("2027-05-04T17:29")) == "Ouvert maintenant — jusqu'à 17 h 30"
    assert words(at("2027-05-04T17:30")) == "Fermé — réouvre demain à 8 h 30"
    assert words(at("2027-05-04T12:00")) == "Fermé — réouvre à 13 h 30"


def test_ascension_2027_is_a_public_holiday():
    # Thursday 6 May 2027: Ascension, a moving feast (Easter + 39 days).
    assert hours.public_holiday(at("2027-05-06T10:00").date()) == "Ascension"
    status = hours.status_at(UNIVERSITY, at("2027-05-06T10:00"))
    assert not status.open
    assert status.reopens == at("2027-05-07T08:30")
    assert words(at("2027-05-06T10:00")) == "Fermé — réouvre demain à 8 h 30"


def test_easter_monday_is_closed_and_reopens_tuesday():
    monday = at("2027-03-29T09:00")
    assert hours.public_holiday(monday.date()) == "Lundi de Pâques"
    assert words(monday) == "Fermé — réouvre demain à 8 h 30"
    assert hours.status_at(UNIVERSITY, monday).reopens == at("2027-03-30T08:30")
    # Seen from the Saturday before: the long weekend ends on Tuesday.
    assert words(at("2027-03-27T10:00")) == "Fermé — réouvre mardi à 8 h 30"


def test_across_a_weekend_it_reopens_monday():
    assert words(at("2027-06-04T18:00")) == "Fermé — réouvre lundi à 8 h 30"
    assert words(at("2027-06-05T11:00")) == "Fermé — réouvre lundi à 8 h 30"
    assert words(at("2027-06-04T18:00"), "en") == "Closed — reopens Monday at 8:30 am"
    assert words(at("2027-05-04T16:00"), "en") == "Open now — until 5:30 pm"


def test_an_exceptional_closure_counts_whole_days():
    # 24 Dec 2026 → 1 Jan 2027 closed; Saturday 2 and Sunday 3 too: back Monday 4 January.
    status = hours.status_at(UNIVERSITY, at("2026-12-23T18:00"))
    assert status.reopens == at("2027-01-04T08:30")
    assert words(at("2026-12-23T18:00")) == "Fermé — réouvre le 4 janvier à 8 h 30"


def test_opening_seconds_skip_nights_weekends_and_holidays():
    # Friday 16:30 → Monday 9:30: one hour on Friday, one on Monday.
    assert hours.open_seconds(UNIVERSITY, at("2027-06-04T16:30"), at("2027-06-07T09:30")) == 2 * 3600
    # Wednesday 17:00 → Friday 9:00 across Ascension: 30 minutes Wednesday, 30 minutes Friday.
    assert hours.open_seconds(UNIVERSITY, at("2027-05-05T17:00"), at("2027-05-07T09:00")) == 3600
    assert hours.open_seconds(UNIVERSITY, at("2027-05-05T17:00"), at("2027-05-05T16:00")) == 0


def test_adding_opening_time_lands_after_the_weekend():
    assert hours.add_open_seconds(UNIVERSITY, at("2027-06-04T17:00"), 3600) == at("2027-06-07T09:00")


def test_a_desk_without_hours_says_nothing_of_opening():
    empty = hours.Schedule.from_setup({})
    assert not empty.known
    assert hours.status_at(empty, at("2027-05-04T10:00")).reopens is None


def test_the_paris_clock_is_used_whatever_the_server_zone():
    utc = at("2027-05-04T17:29").astimezone(hours.ZoneInfo("UTC"))
    assert hours.status_at(UNIVERSITY, utc).open
    assert hours.status_at(UNIVERSITY, utc + timedelta(minutes=1)).open is False


def test_whit_monday_counts_as_a_holiday_too():
    # Friday 14 May 2027 evening: Saturday, Sunday, then Whit Monday (17 May) closed.
    assert words(at("2027-05-14T18:00")) == "Fermé — réouvre mardi à 8 h 30"
