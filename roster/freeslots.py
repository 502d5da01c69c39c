"""The free-slot finder: when can these people meet?

Pure: it takes what the loader read from the database (the bell schedule,
each attendee's lessons, weekly busy times, absences and Sinergi meetings, the
school's working week and holidays) and answers without a query, so it can be
tested with hand-made timetables and is fast enough to run on every page view.

A candidate slot starts at the start of a lesson period of a school day and
lasts the meeting's length; it must end by the end of that day's last period.
Someone is busy during the slot when they teach in a period that overlaps it,
have a weekly busy time or a Sinergi meeting overlapping it, or are absent
that day. Intervals are half-open, so a meeting may start when another ends.
Slots come best first: everyone free, then the fewest people busy, then the
earliest.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from roster.schooldays import is_school_day

# How far ahead to look, in school weeks.
HORIZON_WEEKS = 2


@dataclass(frozen=True)
class Clash:
    user_id: int
    reason: str  # why they are busy, for the person choosing a time


@dataclass
class Slot:
    starts_at: datetime.datetime  # naive, school time
    ends_at: datetime.datetime
    period: int  # the period the slot starts in
    clashes: list[Clash] = field(default_factory=list)

    @property
    def all_free(self):
        return not self.clashes

    @property
    def busy_user_ids(self):
        return sorted({c.user_id for c in self.clashes})


@dataclass
class Timetable:
    """What the finder needs. Times are naive, in school time.

    - ``periods``: {weekday: [(number, start time, end time)]}, the bell schedule;
    - ``lessons``: {user_id: {(weekday, number): "what they teach"}};
    - ``busy``: {user_id: [(weekday, start time, end time, reason)]};
    - ``absences``: {user_id: [(first day, last day, reason)]};
    - ``meetings``: {user_id: [(start datetime, end datetime, label)]};
    - ``days_per_week`` and ``holidays``: the school calendar;
    - ``first_day``/``last_day``: the term, outside which there is no bell schedule.
    """

    periods: dict = field(default_factory=dict)
    lessons: dict = field(default_factory=dict)
    busy: dict = field(default_factory=dict)
    absences: dict = field(default_factory=dict)
    meetings: dict = field(default_factory=dict)
    days_per_week: int = 5
    holidays: set = field(default_factory=set)
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None


def school_days_ahead(timetable: Timetable, start: datetime.date, count: int):
    """The next ``count`` school days from ``start`` (included) within the term."""
    days, day = [], start
    # A safety bound: holidays can make the weeks long, but never endless.
    for _i in range(count * 7 + 60):
        if len(days) >= count or (timetable.last_day and day > timetable.last_day):
            break
        if (timetable.first_day is None or day >= timetable.first_day) and is_school_day(
            day, days_per_week=timetable.days_per_week, holidays=timetable.holidays
        ):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _overlaps(start, end, other_start, other_end):
    return start < other_end and other_start < end


def find_slots(
    timetable: Timetable,
    *,
    attendee_ids,
    duration: datetime.timedelta,
    now: datetime.datetime,
    limit: int = 5,
    days: list | None = None,
):
    """The best ``limit`` slots in the coming two school weeks (see the module)."""
    attendee_ids = list(dict.fromkeys(attendee_ids))
    if days is None:
        days = school_days_ahead(timetable, now.date(), HORIZON_WEEKS * timetable.days_per_week)
    combine = datetime.datetime.combine
    # Each attendee's lessons as time intervals per weekday, read once.
    lesson_times = defaultdict(list)  # (user, weekday) -> [(start, end, label)]
    period_times = {
        weekday: {number: (start, end) for number, start, end in periods}
        for weekday, periods in timetable.periods.items()
    }
    for user_id in attendee_ids:
        for (weekday, number), label in timetable.lessons.get(user_id, {}).items():
            times = period_times.get(weekday, {}).get(number)
            if times:
                lesson_times[(user_id, weekday)].append((times[0], times[1], label))
    slots = []
    for day in days:
        weekday = day.weekday()
        periods = sorted(timetable.periods.get(weekday, ()))
        if not periods:
            continue
        day_end = combine(day, max(end for _n, _s, end in periods))
        absent = {}
        for user_id in attendee_ids:
            for first, last, reason in timetable.absences.get(user_id, ()):
                if first <= day <= last:
                    absent[user_id] = reason
                    break
        for number, start_time, _end_time in periods:
            starts_at = combine(day, start_time)
            ends_at = starts_at + duration
            if starts_at < now or ends_at > day_end:
                continue
            clashes = []
            for user_id in attendee_ids:
                reason = absent.get(user_id) or _busy_reason(timetable, lesson_times, user_id, day, starts_at, ends_at)
                if reason:
                    clashes.append(Clash(user_id, reason))
            slots.append(Slot(starts_at, ends_at, number, clashes))
    slots.sort(key=lambda s: (len(s.clashes), s.starts_at))
    return slots[:limit]


def _busy_reason(timetable, lesson_times, user_id, day, starts_at, ends_at):
    combine = datetime.datetime.combine
    weekday = day.weekday()
    for start, end, label in lesson_times.get((user_id, weekday), ()):
        if _overlaps(starts_at, ends_at, combine(day, start), combine(day, end)):
            return label
    for busy_weekday, start, end, reason in timetable.busy.get(user_id, ()):
        if busy_weekday == weekday and _overlaps(starts_at, ends_at, combine(day, start), combine(day, end)):
            return reason
    for start, end, label in timetable.meetings.get(user_id, ()):
        if _overlaps(starts_at, ends_at, start, end):
            return label
    return None
