import datetime

from roster.schooldays import add_school_days, school_days_between

FRI = datetime.date(2026, 11, 27)
MON = datetime.date(2026, 11, 30)


def test_weekend_is_not_counted_in_a_five_day_week():
    assert school_days_between(FRI, MON, days_per_week=5, holidays=set()) == 1


def test_saturday_counts_in_a_six_day_week():
    assert school_days_between(FRI, MON, days_per_week=6, holidays=set()) == 2


def test_holidays_are_skipped():
    assert school_days_between(FRI, MON + datetime.timedelta(days=1), days_per_week=5, holidays={MON}) == 1


def test_add_school_days_skips_weekend():
    assert add_school_days(FRI, 1, days_per_week=5, holidays=set()) == MON
    assert add_school_days(FRI, 3, days_per_week=5, holidays=set()) == datetime.date(2026, 12, 2)


def test_no_days_when_end_not_after_start():
    assert school_days_between(MON, FRI, days_per_week=5, holidays=set()) == 0
