"""The demo school's timetable (issue #13): a bell schedule of eight
40-minute periods Monday to Thursday with a break, a shorter Friday of five
35-minute periods, every class's weekly lessons without a teacher in two
places at once, the counselors' and the vice principal's weekly busy times,
and one absence. Deterministic; does nothing when the term has a bell schedule.
"""

import datetime
from collections import defaultdict

from accounts.models import User
from roster.models import Absence, BusyBlock, Classroom, Lesson, Period, TeachingAssignment, Term

# Periods a week per subject: 37 in all, the number of periods in the week.
WEEKLY = {
    "Matematika": 5,
    "Bahasa Indonesia": 5,
    "IPA": 5,
    "IPS": 4,
    "Bahasa Inggris": 4,
    "PPKn": 3,
    "PJOK": 3,
    "Seni Budaya": 3,
    "Pendidikan Agama": 3,
    "Informatika": 2,
}


def bell_schedule(school, term):
    rows = []
    for weekday in range(4):
        at = datetime.datetime.combine(term.starts_on, datetime.time(7, 0))
        for number in range(1, 9):
            if number == 5:
                at += datetime.timedelta(minutes=20)  # istirahat
            end = at + datetime.timedelta(minutes=40)
            rows.append(
                Period(
                    school=school, term=term, weekday=weekday, number=number, starts_at=at.time(), ends_at=end.time()
                )
            )
            at = end
    at = datetime.datetime.combine(term.starts_on, datetime.time(7, 0))
    for number in range(1, 6):
        end = at + datetime.timedelta(minutes=35)
        rows.append(Period(school=school, term=term, weekday=4, number=number, starts_at=at.time(), ends_at=end.time()))
        at = end
    return Period.objects.bulk_create(rows)


def _username(school, base):
    # seed_school's usernames: "teacher" in school 1, "s2-teacher" in school 2…
    index = int(school.npsn[-4:])
    return base if index == 1 else f"s{index}-{base}"


def seed(school, *, today=None):
    today = today or datetime.date.today()
    term = Term.objects.current(school)
    if term is None or Period.objects.filter(term=term).exists():
        return
    periods = bell_schedule(school, term)
    slots = [(p.weekday, p.number) for p in periods]
    assignments = defaultdict(dict)  # classroom -> {subject name: assignment}
    for a in TeachingAssignment.objects.filter(school=school, term=term).select_related("subject", "classroom"):
        assignments[a.classroom_id][a.subject.name] = a
    busy = set()  # (teacher, weekday, number)
    lessons = []
    classrooms = list(Classroom.objects.for_school(school).order_by("grade", "name"))
    for position, classroom in enumerate(classrooms):
        left = {name: count for name, count in WEEKLY.items() if name in assignments[classroom.pk]}
        order = list(left)
        for slot_index, (weekday, number) in enumerate(slots):
            # Start each class at a different subject, so that teachers spread out.
            for shift in range(len(order)):
                name = order[(slot_index + position + shift) % len(order)]
                assignment = assignments[classroom.pk][name]
                if left[name] and (assignment.teacher_id, weekday, number) not in busy:
                    left[name] -= 1
                    busy.add((assignment.teacher_id, weekday, number))
                    lessons.append(Lesson(school=school, assignment=assignment, weekday=weekday, number=number))
                    break
    Lesson.objects.bulk_create(lessons, batch_size=500)

    people = {
        base: User.objects.filter(username=_username(school, base)).first()
        for base in ("counselor", "counselor2", "vp")
    }
    blocks = [
        ("counselor", 1, (7, 0), (8, 20), "Layanan klasikal BK"),
        ("counselor", 3, (10, 0), (11, 20), "Layanan klasikal BK"),
        ("counselor2", 2, (7, 0), (8, 20), "Layanan klasikal BK"),
        ("vp", 0, (7, 0), (8, 20), "Rapat pimpinan sekolah"),
    ]
    BusyBlock.objects.bulk_create(
        [
            BusyBlock(
                school=school,
                user=people[who],
                weekday=weekday,
                starts_at=datetime.time(*start),
                ends_at=datetime.time(*end),
                reason=reason,
            )
            for who, weekday, start, end, reason in blocks
            if people[who] is not None
        ]
    )
    if people["counselor2"] is not None:
        # Away for two days next week.
        monday = today + datetime.timedelta(days=7 - today.weekday())
        Absence.objects.create(
            school=school,
            user=people["counselor2"],
            starts_on=monday + datetime.timedelta(days=1),
            ends_on=monday + datetime.timedelta(days=2),
            reason="Pelatihan MGMP BK",
        )
