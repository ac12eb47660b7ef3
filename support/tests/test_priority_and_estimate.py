"""GLPI's urgency × impact matrix and the first-response estimate's bounds."""

from datetime import timedelta

from support import eta, priority


def test_the_matrix_is_glpis_default():
    assert priority.priority(5, 5) == 5
    assert priority.priority(1, 1) == 1
    assert priority.priority(4, 3) == 4
    assert priority.priority(3, 2) == 2
    assert priority.priority(priority.URGENT, priority.DEFAULT_IMPACT) > priority.priority(
        priority.NORMAL, priority.DEFAULT_IMPACT
    ) or priority.priority(priority.URGENT, 3) > priority.priority(priority.NORMAL, 3)


def test_out_of_range_values_are_clamped():
    assert priority.priority(9, 0) == priority.priority(5, 1)


def test_estimate_never_below_thirty_minutes_nor_above_forty_eight_hours():
    assert eta.estimate(queued=0, recent_seconds=[60.0]) == timedelta(minutes=30)
    assert eta.estimate(queued=10_000, recent_seconds=[3600.0]) == timedelta(hours=48)
    assert eta.estimate(queued=0, recent_seconds=[], until_open=timedelta(days=5)) == timedelta(hours=48)


def test_estimate_grows_with_the_queue_and_recent_handling():
    quiet = eta.estimate(queued=0, recent_seconds=[7200.0])
    busy = eta.estimate(queued=12, recent_seconds=[7200.0])
    assert quiet == timedelta(hours=2)
    assert busy == timedelta(hours=4)


def test_estimate_in_words():
    assert eta.in_words(timedelta(minutes=30)) == (30, "minutes")
    assert eta.in_words(timedelta(minutes=50)) == (45, "minutes")
    assert eta.in_words(timedelta(minutes=60)) == (1, "hours")
    assert eta.in_words(timedelta(hours=4, minutes=20)) == (4, "hours")
    assert eta.in_words(timedelta(hours=48)) == (48, "hours")
