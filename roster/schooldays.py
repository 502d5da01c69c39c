"""Counting school days: the school's working week minus its holidays.

Used for triage deadlines, reminders and reports, so that "3 school days" means
the same everywhere.
"""

import datetime

# A referral is triaged within this many school days of its (re)submission.
TRIAGE_DEADLINE_SCHOOL_DAYS = 3


def is_school_day(day: datetime.date, *, days_per_week: int, holidays: set) -> bool:
    # weekday(): Monday is 0. A 5-day week ends on Friday (4), a 6-day on Saturday (5).
    return day.weekday() < days_per_week and day not in holidays


def school_days_between(start: datetime.date, end: datetime.date, *, days_per_week: int, holidays: set) -> int:
    """School days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_school_day(day, days_per_week=days_per_week, holidays=holidays):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def add_school_days(start: datetime.date, n: int, *, days_per_week: int, holidays: set) -> datetime.date:
    """The date n school days after ``start``."""
    day = start
    while n > 0:
        day += datetime.timedelta(days=1)
        if is_school_day(day, days_per_week=days_per_week, holidays=holidays):
            n -= 1
    return day


class SchoolCalendar:
    """A school's working week and holidays, loaded once (one query)."""

    def __init__(self, school, holidays=None):
        self.days_per_week = school.school_days_per_week
        if holidays is None:
            holidays = set(school.holidays.values_list("date", flat=True))
        self.holidays = set(holidays)

    def days_between(self, start, end):
        return school_days_between(start, end, days_per_week=self.days_per_week, holidays=self.holidays)

    def add(self, start, n):
        return add_school_days(start, n, days_per_week=self.days_per_week, holidays=self.holidays)

    def is_school_day(self, day):
        return is_school_day(day, days_per_week=self.days_per_week, holidays=self.holidays)
