from datetime import timedelta

from notify.schedule import retry_delay


def test_the_wait_grows_then_stays_at_an_hour():
    waits = [retry_delay(attempts) for attempts in range(1, 10)]
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 300, 600, 1800, 3600, 3600, 3600)]
