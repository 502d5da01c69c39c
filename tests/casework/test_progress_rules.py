"""The decision rules (casework.progress): plain values in, a reading out."""

import datetime

import pytest

from casework.progress import (
    Rules,
    Suggestion,
    Trend,
    aim_value,
    expected_sessions,
    fidelity_ratio,
    latest_phase,
    least_squares_slope,
    read_progress,
)

START = datetime.date(2026, 1, 5)
TARGET_DATE = START + datetime.timedelta(days=100)


def day(n):
    return START + datetime.timedelta(days=n)


def read(points, **kwargs):
    args = {"baseline": 50, "target": 70, "start": START, "target_date": TARGET_DATE, "points": points}
    return read_progress(**(args | kwargs))


def test_the_aim_line_runs_from_baseline_to_target():
    args = {"baseline": 50, "target": 70, "start": START, "target_date": TARGET_DATE}
    assert aim_value(day=START, **args) == 50
    assert aim_value(day=day(50), **args) == 60
    assert aim_value(day=TARGET_DATE, **args) == 70


def test_exactly_four_points_below_the_line_suggest_a_change():
    reading = read([(day(10), 50), (day(20), 51), (day(30), 52), (day(40), 53)])
    assert reading.suggestion == Suggestion.CHANGE
    assert reading.needs_decision
    assert reading.run == 4


def test_three_points_below_are_not_enough():
    reading = read([(day(10), 50), (day(20), 51), (day(30), 52)])
    assert reading.suggestion == Suggestion.COLLECTING
    assert not reading.needs_decision


def test_only_the_last_four_count():
    points = [(day(5), 69), (day(10), 50), (day(20), 51), (day(30), 52), (day(40), 53)]
    assert read(points).suggestion == Suggestion.CHANGE


def test_mixed_points_continue():
    reading = read([(day(10), 50), (day(20), 60), (day(30), 52), (day(40), 53)])
    assert reading.suggestion == Suggestion.CONTINUE
    assert not reading.needs_decision


def test_a_point_on_the_line_breaks_the_run():
    # day 50 is 60 on the aim line.
    assert read([(day(20), 51), (day(30), 52), (day(40), 53), (day(50), 60)]).suggestion == Suggestion.CONTINUE


def test_four_points_above_suggest_fading():
    reading = read([(day(10), 60), (day(20), 62), (day(30), 64), (day(40), 66)])
    assert reading.suggestion == Suggestion.FADE
    assert reading.needs_decision


def test_a_goal_that_should_go_down_reads_the_other_way():
    # Days absent per month: 8 -> 2. Staying at 7 is behind the line.
    args = {"baseline": 8, "target": 2}
    behind = read([(day(20), 7), (day(40), 7), (day(60), 7), (day(80), 7)], **args)
    assert behind.suggestion == Suggestion.CHANGE
    assert not behind.rising
    ahead = read([(day(10), 4), (day(20), 4), (day(30), 3), (day(40), 3)], **args)
    assert ahead.suggestion == Suggestion.FADE


def test_flat_trend_is_the_wrong_way():
    reading = read([(day(30), 55), (day(40), 55), (day(50), 55), (day(60), 55)])
    assert reading.slope == 0
    assert reading.trend == Trend.WRONG_WAY
    assert reading.suggestion == Suggestion.CHANGE


def test_trend_against_the_needed_slope():
    assert read([(day(10), 52), (day(20), 54)]).trend == Trend.ON_TRACK  # 0.2 a day, as needed
    assert read([(day(10), 52), (day(20), 53)]).trend == Trend.TOO_SLOW
    assert read([(day(10), 52), (day(20), 51)]).trend == Trend.WRONG_WAY
    assert read([(day(10), 52)]).trend is None
    assert read([(day(10), 52)]).needed_slope == pytest.approx(0.2)


def test_no_target_date_means_no_aim_line():
    reading = read([(day(10), 50)] * 4, target_date=None)
    assert reading.suggestion == Suggestion.NO_AIM_LINE
    assert not reading.needs_decision
    assert read([(day(10), 50)] * 4, target=None).suggestion == Suggestion.NO_AIM_LINE
    assert read([(day(10), 50)] * 4, baseline=None).suggestion == Suggestion.NO_AIM_LINE


def test_target_already_reached():
    reading = read([(day(10), 71)])
    assert reading.suggestion == Suggestion.MET
    assert reading.needs_decision
    # Reached earlier but fallen back since: the latest point decides.
    assert read([(day(10), 71), (day(20), 52)]).suggestion == Suggestion.COLLECTING


def test_a_phase_change_starts_the_count_again():
    points = [(day(10), 50), (day(20), 51), (day(30), 52), (day(40), 53), (day(50), 54), (day(60), 56)]
    assert read(points).suggestion == Suggestion.CHANGE
    after = read(points, phase_start=day(40))
    assert after.suggestion == Suggestion.COLLECTING
    assert after.points == 2
    later = points + [(day(70), 57), (day(80), 58)]
    assert read(later, phase_start=day(40)).suggestion == Suggestion.CHANGE


def test_latest_phase():
    assert latest_phase([(day(1), True), (day(9), False), (day(5), True)]) == day(5)
    assert latest_phase([(day(9), False)]) is None
    assert latest_phase([]) is None


def test_low_fidelity_asks_to_check_the_plan_first():
    points = [(day(10), 50), (day(20), 51), (day(30), 52), (day(40), 53)]
    assert read(points, fidelity=0.5).suggestion == Suggestion.CHECK_FIDELITY
    assert read(points, fidelity=0.8).suggestion == Suggestion.CHANGE
    assert read(points, fidelity=None).suggestion == Suggestion.CHANGE
    # Fidelity does not hold back fading.
    ahead = [(day(10), 60), (day(20), 62), (day(30), 64), (day(40), 66)]
    assert read(ahead, fidelity=0.1).suggestion == Suggestion.FADE


def test_thresholds_come_from_the_rules(settings):
    points = [(day(30), 52), (day(40), 53), (day(45), 54)]
    assert read(points, rules=Rules(points=3)).suggestion == Suggestion.CHANGE
    settings.DECISION_RULE_POINTS = 3
    settings.DECISION_RULE_FIDELITY = 0.5
    assert Rules.from_settings() == Rules(points=3, fidelity=0.5)
    assert read(points + [(day(46), 54)], fidelity=0.6, rules=Rules.from_settings()).suggestion == Suggestion.CHANGE


def test_least_squares_slope():
    assert least_squares_slope([(day(0), 1), (day(2), 5)]) == 2
    assert least_squares_slope([(day(0), 1), (day(0), 5)]) is None
    assert least_squares_slope([(day(0), 1), (day(1), 2), (day(2), 2), (day(3), 4)]) == pytest.approx(0.9)


def test_expected_sessions():
    assert expected_sessions(per_week=2, starts_on=day(0), until=day(13)) == 4
    assert expected_sessions(per_week=2, starts_on=day(0), until=day(6)) == 2
    assert expected_sessions(per_week=1, starts_on=day(0), until=day(3)) == 0
    assert expected_sessions(per_week=2, starts_on=day(5), until=day(0)) == 0
    assert expected_sessions(per_week=None, starts_on=day(0), until=day(30)) == 0
    assert expected_sessions(per_week=3, starts_on=None, until=day(30)) == 0


def test_fidelity_ratio():
    assert fidelity_ratio(expected=10, held=8) == 0.8
    assert fidelity_ratio(expected=10, held=7) < 0.8
    assert fidelity_ratio(expected=4, held=6) == 1.0
    assert fidelity_ratio(expected=0, held=0) is None
