"""SMS quotas: per number (1 a minute, 3 an hour, 5 a day, sliding) and the daily budget.

Every test passes an explicit `now`, and SMS are outbox rows dated by hand: no test waits.
"""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Account
from audit.models import Event
from institutions.models import Institution
from notify.models import Message
from notify.quotas import sms_allowed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 11:00 in Paris; the day began at 23:00 UTC
NUMBER, OTHER = "+33612345678", "+33698765432"
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def _sms(to, at, purpose="accounts.recovery_code"):
    return Message.objects.create(
        channel=Message.SMS, to=to, body_text="…", language="fr", purpose=purpose, created_at=at
    )


def _alerts():
    return Message.objects.filter(purpose="notify.sms_budget").order_by("to")


def _exhausted():
    return Event.objects.filter(code="notify.sms.budget_exhausted")


# --- per number --------------------------------------------------------------------------


def test_a_first_sms_is_allowed():
    assert sms_allowed(NUMBER, now=NOW)


def test_one_a_minute():
    _sms(NUMBER, NOW)
    assert not sms_allowed(NUMBER, now=NOW + timedelta(seconds=30))
    assert not sms_allowed(NUMBER, now=NOW + timedelta(seconds=59))
    assert sms_allowed(NUMBER, now=NOW + timedelta(seconds=60))  # a minute old: out of the window


def test_three_an_hour_in_a_sliding_window():
    for minutes in (0, 10, 20):
        _sms(NUMBER, NOW + minutes * MINUTE)
    assert not sms_allowed(NUMBER, now=NOW + 30 * MINUTE)
    assert not sms_allowed(NUMBER, now=NOW + 59 * MINUTE)
    # The first one has slid out of the hour; the other two are still in it.
    assert sms_allowed(NUMBER, now=NOW + 60 * MINUTE)
    _sms(NUMBER, NOW + 60 * MINUTE)
    assert not sms_allowed(NUMBER, now=NOW + 69 * MINUTE)  # 10, 20 and 60 in the last hour
    assert sms_allowed(NUMBER, now=NOW + 70 * MINUTE)


def test_five_a_day_in_a_sliding_window():
    for hours in (0, 2, 4, 6, 8):
        _sms(NUMBER, NOW + hours * HOUR)
    assert not sms_allowed(NUMBER, now=NOW + 10 * HOUR)
    assert not sms_allowed(NUMBER, now=NOW + 23 * HOUR)  # a new calendar day, still the same 24 hours
    assert sms_allowed(NUMBER, now=NOW + DAY + MINUTE)


def test_other_numbers_are_not_affected():
    for minutes in (0, 10, 20):
        _sms(NUMBER, NOW + minutes * MINUTE)
    assert not sms_allowed(NUMBER, now=NOW + 21 * MINUTE)
    assert sms_allowed(OTHER, now=NOW + 21 * MINUTE)


def test_every_purpose_and_state_counts():
    _sms(NUMBER, NOW, purpose="accounts.new_device")
    Message.objects.update(status=Message.FAILED)
    assert not sms_allowed(NUMBER, now=NOW + 30 * timedelta(seconds=1))


def test_sms_dated_after_now_are_not_counted():
    _sms(NUMBER, NOW + MINUTE)
    assert sms_allowed(NUMBER, now=NOW)


# --- the daily budget --------------------------------------------------------------------


@pytest.fixture
def budget_of_ten(settings):
    settings.GUICHET_SMS_DAILY_BUDGET = 10
    settings.GUICHET_ADMIN_EMAILS = ["exploitation@univ-poitiers.fr", " "]


@pytest.fixture
def staff(poitiers):
    institution = Institution.objects.get(slug="univ-poitiers")

    def make(identifier, **fields):
        return Account.objects.create_user(identifier, institution=institution, **fields)

    verified = {"secondary_email_verified_at": NOW - DAY}
    return {
        "admin": make("admin@univ-poitiers.fr", is_staff=True, secondary_email="admin.perso@example.org", **verified),
        "english": make(
            "ops@univ-poitiers.fr", is_staff=True, secondary_email="ops@example.org", language="en", **verified
        ),
        "unverified": make("new@univ-poitiers.fr", is_staff=True, secondary_email="new.perso@example.org"),
        "not_staff": make("camille@univ-poitiers.fr", secondary_email="camille@example.org", **verified),
        # Already listed in GUICHET_ADMIN_EMAILS: one alert, not two.
        "listed": make(
            "dsi@univ-poitiers.fr", is_staff=True, secondary_email="Exploitation@univ-poitiers.fr", **verified
        ),
    }


def _fill(count, day_start=NOW - 10 * HOUR):
    # `count` SMS to distinct numbers since the start of the day (23:00 UTC the day before).
    for n in range(count):
        _sms(f"+336000000{n:02d}", day_start + n * MINUTE)


def test_below_80_percent_no_alert(budget_of_ten, staff):
    _fill(7)
    assert sms_allowed(NUMBER, now=NOW)
    assert not _alerts().exists()


def test_at_80_percent_the_administrators_are_told_once(budget_of_ten, staff):
    _fill(8)
    assert sms_allowed(NUMBER, now=NOW)
    assert list(_alerts().values_list("to", "language")) == [
        ("Exploitation@univ-poitiers.fr", "fr"),  # the staff account's, and the listed one: once
        ("admin.perso@example.org", "fr"),
        ("ops@example.org", "en"),
    ]
    assert sms_allowed(NUMBER, now=NOW)
    _sms(OTHER, NOW)
    assert sms_allowed("+33611111111", now=NOW + MINUTE)
    assert _alerts().count() == 3  # once a day, however many SMS follow


def test_the_alert_says_what_happens(budget_of_ten, staff):
    _fill(8)
    sms_allowed(NUMBER, now=NOW)
    french = _alerts().get(to="admin.perso@example.org")
    assert french.subject == "Guichet : 80 % du budget SMS du jour utilisé"
    assert "Guichet a mis en file 8 SMS aujourd'hui (30 novembre 2026), pour un budget de 10 SMS par jour." in (
        french.body_text
    )
    assert "GUICHET_SMS_DAILY_BUDGET" in french.body_text
    assert '<html lang="fr">' in french.body_html
    english = _alerts().get(to="ops@example.org")
    assert english.subject == "Guichet: 80% of today's SMS budget used"
    assert "Guichet has queued 8 SMS today (Nov. 30, 2026), against a budget of 10 SMS a day." in english.body_text
    assert "Bonjour" not in english.body_text


def test_the_next_day_may_alert_again(budget_of_ten, staff):
    _fill(8)
    sms_allowed(NUMBER, now=NOW)
    tomorrow = NOW + DAY
    assert sms_allowed(NUMBER, now=tomorrow)  # a new day, a new count: 0 so far
    assert _alerts().count() == 3
    _fill(8, day_start=tomorrow - 10 * HOUR)
    assert sms_allowed(OTHER, now=tomorrow)
    assert _alerts().count() == 6


def test_at_100_percent_sms_are_refused_and_audited_once_a_day(budget_of_ten, staff):
    _fill(10)
    assert not sms_allowed(NUMBER, now=NOW)
    assert not sms_allowed(OTHER, now=NOW + HOUR)
    [event] = _exhausted()
    assert event.data == {"day": "2026-11-30", "budget": 10, "count": 10}
    assert _alerts().count() == 3  # the 80 % alert was not skipped by jumping past it
    tomorrow = NOW + DAY
    assert sms_allowed(NUMBER, now=tomorrow)
    _fill(10, day_start=tomorrow - 10 * HOUR)
    assert not sms_allowed(OTHER, now=tomorrow)
    assert list(_exhausted().values_list("data__day", flat=True).order_by("pk")) == ["2026-11-30", "2026-12-01"]


def test_the_budget_day_is_the_paris_day(budget_of_ten, staff):
    # 22:30 UTC the day before is still yesterday in Paris (23:30); 23:30 UTC is today.
    _fill(9, day_start=NOW - 11 * HOUR - 30 * MINUTE)
    _sms(OTHER, NOW - 10 * HOUR - 30 * MINUTE)
    assert sms_allowed(NUMBER, now=NOW)  # 1 today: far from 10
    assert not _alerts().exists()


def test_without_administrators_the_alert_is_logged(settings, caplog, poitiers):
    settings.GUICHET_SMS_DAILY_BUDGET = 10
    settings.GUICHET_ADMIN_EMAILS = []
    _fill(8)
    assert sms_allowed(NUMBER, now=NOW)
    assert not _alerts().exists()
    assert "no administrator to tell" in caplog.text
