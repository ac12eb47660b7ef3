"""The throttling arithmetic, point by point (accounts/throttle.py)."""

from datetime import UTC, datetime, timedelta

from accounts import throttle
from accounts.throttle import State

T0 = datetime(2026, 11, 30, 7, 50, tzinfo=UTC)


def _fail(state, times, start=T0, step=timedelta(seconds=1), prefix="pw"):
    now = start
    for i in range(times):
        state = throttle.account_failure(state, f"{prefix}{i}", now)
        now += step
    return state, now


def test_four_failures_are_free():
    state, now = _fail(State(), 4)
    assert throttle.paused_until(state, now) is None


def test_the_fifth_failure_pauses_one_minute():
    state, _ = _fail(State(), 5)
    assert state.paused_until == state.last_failure + timedelta(minutes=1)


def test_then_five_then_fifteen_minutes_the_cap():
    state, now = _fail(State(), 5)
    pauses = []
    for i in range(4):
        now = state.paused_until + timedelta(seconds=1)
        state = throttle.account_failure(state, f"later{i}", now)
        pauses.append(state.paused_until - now)
    assert pauses == [timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=15), timedelta(minutes=15)]


def test_the_same_wrong_password_is_not_counted_twice():
    state = State()
    for second in range(20):
        state = throttle.account_failure(state, "same", T0 + timedelta(seconds=second))
    assert state.failures == 1 and state.paused_until is None


def test_failures_during_a_pause_are_not_counted():
    state, now = _fail(State(), 5)
    during = throttle.account_failure(state, "other", now)
    assert during == state


def test_the_count_is_forgotten_twelve_hours_after_the_last_failure():
    state, _now = _fail(State(), 4)
    later = state.last_failure + timedelta(hours=12)
    state = throttle.account_failure(state, "new", later)
    assert state.failures == 1 and state.paused_until is None


def test_there_is_no_permanent_lock():
    state, _now = _fail(State(), 200, step=timedelta(minutes=16))
    assert throttle.paused_until(state, state.paused_until) is None
    assert state.paused_until - state.last_failure == timedelta(minutes=15)


def test_a_warning_comes_two_attempts_before_the_pause():
    assert throttle.warn_before_pause(_fail(State(), 2)[0], T0) is None
    assert throttle.warn_before_pause(_fail(State(), 3)[0], T0) == 2
    assert throttle.warn_before_pause(_fail(State(), 4)[0], T0) == 1


def test_an_ip_failing_on_many_identifiers_is_blocked():
    state = State()
    for i in range(throttle.IP_MAX_IDENTIFIERS):
        state = throttle.ip_failure(state, f"id{i}", T0 + timedelta(seconds=i))
    assert throttle.paused_until(state, T0 + timedelta(seconds=10)) is not None


def test_an_ip_retrying_one_identifier_is_not_blocked_for_it():
    state = State()
    for i in range(30):
        state = throttle.ip_failure(state, "same-person", T0 + timedelta(seconds=i))
    assert throttle.paused_until(state, T0 + timedelta(seconds=30)) is None


def test_an_ip_window_ends_after_ten_minutes():
    state = State()
    for i in range(throttle.IP_MAX_IDENTIFIERS - 1):
        state = throttle.ip_failure(state, f"id{i}", T0)
    state = throttle.ip_failure(state, "late", T0 + timedelta(minutes=10))
    assert state.paused_until is None and state.failures == 1
