"""Two terms of grades and attendance for the demo school (schooldata), with
three students of VII-A whom the early-warning list catches: one below the
KKM in two subjects, one whose Matematika fell from last term, one often
absent without leave. Deterministic; does nothing when the school already has
grades."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from roster.models import AcademicYear, Classroom, Student, Subject, Term
from schooldata.models import Assessment, AttendanceMonth, Score

# Students of VII-A (by position, as demo.referrals counts them) whom nobody has referred.
BELOW_KKM, DROPPED, ABSENT = 11, 15, 23


def _previous_term(school, current):
    previous = Term.objects.for_school(school).filter(starts_on__lt=current.starts_on).order_by("-starts_on").first()
    if previous is not None:
        return previous
    start = current.starts_on.year - 1
    year, _created = AcademicYear.objects.get_or_create(
        school=school,
        name=f"{start}/{start + 1}",
        defaults={"starts_on": datetime.date(start, 7, 1), "ends_on": datetime.date(start + 1, 6, 30)},
    )
    return Term.objects.create(
        school=school,
        year=year,
        name="Semester 2 (Genap)",
        starts_on=datetime.date(start + 1, 1, 1),
        ends_on=datetime.date(start + 1, 6, 30),
    )


def _months(term, today):
    month = term.starts_on.replace(day=1)
    last = min(today, term.ends_on).replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def seed(school):
    current = Term.objects.current(school)
    if current is None or Assessment.objects.for_school(school).exists():
        return
    classrooms = list(Classroom.objects.for_school(school).order_by("grade", "name"))
    subjects = list(Subject.objects.for_school(school).order_by("name"))
    if not classrooms or not subjects:
        return
    previous = _previous_term(school, current)
    rng = random.Random(f"schooldata-{school.npsn}")
    by_class = {}
    for student in Student.objects.for_school(school).order_by("id"):
        by_class.setdefault(student.classroom_id, []).append(student)

    plan = [(previous, "PTS"), (previous, "PAS"), (current, "UH 1"), (current, "PTS")]
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(school=school, term=term, classroom=c, subject=s, name=name)
            for c in classrooms
            for s in subjects
            for term, name in plan
        ],
        batch_size=500,
    )
    if assessments[0].pk is None:
        assessments = list(Assessment.objects.for_school(school).order_by("id"))
    found = {(a.classroom_id, a.subject_id, a.term_id, a.name): a for a in assessments}

    scores = []
    first_class = classrooms[0]
    for classroom in classrooms:
        students = by_class.get(classroom.pk, [])
        for position, student in enumerate(students):
            for subject in subjects:
                base = rng.randint(78, 92)
                for term, name in plan:
                    value = Decimal(base + rng.randint(-3, 3))
                    weak = subject.name in ("Matematika", "IPA") and term == current
                    if classroom == first_class and position == BELOW_KKM and weak:
                        value = Decimal(rng.randint(58, 66))
                    if classroom == first_class and position == DROPPED and subject.name == "Matematika":
                        value = Decimal(88 if term == previous else rng.randint(66, 70))
                    scores.append(
                        Score(assessment=found[(classroom.pk, subject.pk, term.pk, name)], student=student, value=value)
                    )
    Score.objects.bulk_create(scores, batch_size=1000)

    today = timezone.localdate()
    months = []
    for classroom in classrooms:
        for position, student in enumerate(by_class.get(classroom.pk, [])):
            for term in (previous, current):
                for month in _months(term, today):
                    sick, permitted = rng.choice([0, 0, 0, 1, 2]), rng.choice([0, 0, 1])
                    absent = rng.choice([0, 0, 0, 0, 1]) if sick + permitted < 3 else 0
                    if classroom == first_class and position == ABSENT and month == today.replace(day=1):
                        sick, permitted, absent = 0, 1, 4
                    months.append(
                        AttendanceMonth(
                            school=school,
                            student=student,
                            month=month,
                            present=20 - sick - permitted - absent,
                            sick=sick,
                            permitted=permitted,
                            absent=absent,
                        )
                    )
    AttendanceMonth.objects.bulk_create(months, batch_size=1000)
