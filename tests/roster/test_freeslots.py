"""The free-slot finder on hand-made timetables (no database)."""

import datetime

from roster.freeslots import Timetable, find_slots, school_days_ahead

T = datetime.time
D = datetime.date
MON = D(2026, 12, 7)  # a Monday
FRI = D(2026, 12, 11)
SAT = D(2026, 12, 12)
START = datetime.datetime(2026, 12, 7, 6, 0)  # Monday before school
HOUR = datetime.timedelta(minutes=40)

# Three 40-minute periods a day; Friday is shorter: two periods.
DAY = [(1, T(7, 0), T(7, 40)), (2, T(7, 40), T(8, 20)), (3, T(8, 20), T(9, 0))]
FRIDAY = [(1, T(7, 0), T(7, 40)), (2, T(7, 40), T(8, 20))]


def timetable(**kwargs):
    periods = dict.fromkeys(range(4), DAY) | {4: FRIDAY}
    return Timetable(periods=kwargs.pop("periods", periods), **kwargs)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, T(hour, minute))


def starts(slots):
    return [s.starts_at for s in slots]


def test_everyone_free_gives_the_first_periods():
    slots = find_slots(timetable(), attendee_ids=[1, 2], duration=HOUR, now=START, limit=3)
    assert starts(slots) == [at(MON, 7), at(MON, 7, 40), at(MON, 8, 20)]
    assert all(s.all_free for s in slots)


def test_a_clash_on_one_day_is_skipped_and_named_when_asked():
    lessons = {1: {(0, 1): "Matematika VII-A", (0, 2): "Matematika VII-B", (0, 3): "Matematika VII-C"}}
    slots = find_slots(timetable(lessons=lessons), attendee_ids=[1, 2], duration=HOUR, now=START, limit=100)
    free = [s for s in slots if s.all_free]
    assert free[0].starts_at == at(MON + datetime.timedelta(days=1), 7)
    assert all(s.starts_at.date() != MON for s in free)
    busy_monday = [s for s in slots if s.starts_at.date() == MON]
    assert busy_monday and busy_monday[0].clashes[0].user_id == 1
    assert busy_monday[0].clashes[0].reason == "Matematika VII-A"


def test_a_six_day_week_offers_saturday():
    periods = dict.fromkeys(range(6), DAY)
    lessons = {1: {(weekday, n): "lesson" for weekday in range(5) for n in (1, 2, 3)}}
    slots = find_slots(
        timetable(periods=periods, lessons=lessons, days_per_week=6), attendee_ids=[1], duration=HOUR, now=START
    )
    assert slots[0].starts_at == at(SAT, 7) and slots[0].all_free


def test_a_five_day_week_never_offers_saturday_even_with_a_bell_schedule():
    periods = dict.fromkeys(range(6), DAY)
    slots = find_slots(timetable(periods=periods), attendee_ids=[1], duration=HOUR, now=START, limit=100)
    assert all(s.starts_at.weekday() < 5 for s in slots)


def test_the_shorter_friday_has_no_third_period_and_no_long_meeting_past_its_end():
    slots = find_slots(timetable(), attendee_ids=[1], duration=HOUR, now=START, limit=100)
    friday = [s.starts_at for s in slots if s.starts_at.date() == FRI]
    assert friday == [at(FRI, 7), at(FRI, 7, 40)]
    long = find_slots(timetable(), attendee_ids=[1], duration=3 * HOUR, now=START, limit=100)
    assert not [s for s in long if s.starts_at.date() == FRI]
    assert [s.starts_at for s in long if s.starts_at.date() == MON] == [at(MON, 7)]


def test_a_holiday_is_skipped():
    slots = find_slots(timetable(holidays={MON}), attendee_ids=[1], duration=HOUR, now=START, limit=100)
    assert all(s.starts_at.date() != MON for s in slots)
    # The horizon is two school weeks: the holiday pushes it one day further.
    days = {s.starts_at.date() for s in slots}
    assert len(days) == 10 and max(days) == D(2026, 12, 21)


def test_an_absence_makes_the_person_busy_all_day_with_its_reason():
    absences = {2: [(MON, D(2026, 12, 8), "Pelatihan MGMP")]}
    slots = find_slots(timetable(absences=absences), attendee_ids=[1, 2], duration=HOUR, now=START, limit=100)
    assert slots[0].starts_at == at(D(2026, 12, 9), 7) and slots[0].all_free
    monday = next(s for s in slots if s.starts_at == at(MON, 7))
    assert [(c.user_id, c.reason) for c in monday.clashes] == [(2, "Pelatihan MGMP")]


def test_a_weekly_busy_time_counts_every_week():
    busy = {3: [(0, T(6, 30), T(9, 0), "Rapat pimpinan")]}
    slots = find_slots(timetable(busy=busy), attendee_ids=[3], duration=HOUR, now=START, limit=100)
    assert all(s.starts_at.weekday() != 0 for s in slots if s.all_free)
    assert next(s for s in slots if s.starts_at == at(D(2026, 12, 14), 7)).clashes[0].reason == "Rapat pimpinan"


def test_an_attendee_with_no_free_period_gets_the_fewest_clashes_naming_them():
    lessons = {1: {(weekday, n): f"teaching {weekday}/{n}" for weekday in range(5) for n in (1, 2, 3)}}
    slots = find_slots(timetable(lessons=lessons), attendee_ids=[1, 2, 3], duration=HOUR, now=START, limit=3)
    assert len(slots) == 3
    assert all([c.user_id for c in s.clashes] == [1] for s in slots)
    assert slots[0].starts_at == at(MON, 7) and slots[0].clashes[0].reason == "teaching 0/1"


def test_fewest_clashes_come_first():
    lessons = {1: {(0, 1): "a"}, 2: {(0, 1): "b", (0, 2): "c"}}
    slots = find_slots(timetable(lessons=lessons), attendee_ids=[1, 2], duration=HOUR, now=START, limit=100)
    monday = {s.starts_at: len(s.clashes) for s in slots if s.starts_at.date() == MON}
    assert monday == {at(MON, 7): 2, at(MON, 7, 40): 1, at(MON, 8, 20): 0}
    assert [len(s.clashes) for s in slots] == sorted(len(s.clashes) for s in slots)


def test_two_meetings_back_to_back():
    # A Sinergi meeting 07:00–07:40: the next slot starts exactly when it ends.
    meetings = {1: [(at(MON, 7), at(MON, 7, 40), "Another Sinergi meeting")]}
    slots = find_slots(timetable(meetings=meetings), attendee_ids=[1], duration=HOUR, now=START, limit=2)
    assert starts(slots) == [at(MON, 7, 40), at(MON, 8, 20)]
    # A longer meeting that runs into the second period blocks it too.
    meetings = {1: [(at(MON, 7), at(MON, 7, 50), "Another Sinergi meeting")]}
    slots = find_slots(timetable(meetings=meetings), attendee_ids=[1], duration=HOUR, now=START, limit=1)
    assert starts(slots) == [at(MON, 8, 20)]


def test_slots_in_the_past_are_not_offered():
    slots = find_slots(timetable(), attendee_ids=[1], duration=HOUR, now=at(MON, 7, 5), limit=1)
    assert starts(slots) == [at(MON, 7, 40)]


def test_the_term_bounds_the_days():
    table = timetable(first_day=D(2026, 12, 9), last_day=D(2026, 12, 10))
    assert school_days_ahead(table, MON, 10) == [D(2026, 12, 9), D(2026, 12, 10)]
