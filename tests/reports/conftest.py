"""One small school history, built by hand. The tests work out each
indicator from this list; keep the two in step.

Calendar: 5-day week, no holidays. November 2026: Mon 2, Fri 6, Sat 7,
Mon 9, Fri 13, Mon 16, Thu 19, Fri 20 (= "today"). Period: the current term,
1 Jul – 31 Dec 2026.

Referrals (filed → triaged, in school days):
  R1  student_a  teacher        maths    low, attendance  Mon 2 Nov → Tue 3 Nov accepted (C1)      1
  R2  student_a  homeroom       bahasa   low              Fri 6 Nov → Sat 7 Nov declined (weekend)  1
  R3  student_b  other_teacher  maths    emotional        Mon 9 Nov → Fri 13 Nov accepted (C2)     4
  R4  student_b  other_teacher  —        attendance       Mon 16 Nov, still waiting (4 days: late)
  R5  student_a  teacher        maths    low              Thu 19 Nov, still waiting (1 day)
  R6  student_a  teacher        maths    emotional        Tue 3 Nov, withdrawn, never answered
  R7  student_b  other_teacher  maths    low              Wed 4 Nov, needs information
  R10 student_a  homeroom       —        emotional        Sun 1 Nov 00:30 → Mon 2 Nov declined      0
  out of range: R8 (June 2026); other school: R9.

Cases:
  C1  student_a  counselor   opened 3 Nov, active
  C2  student_b  counselor2  opened 13 Nov, closed 18 Nov improved
  C3  student_c  counselor   opened 1 Sep, closed 1 Oct resolved, REOPENED 10 Oct: monitoring now
  C4  student_d  counselor2  opened May, closed June resolved (before the period)
  C5  student_e  counselor2  opened 1 Aug, closed 15 Sep no change
  other school: one open case.
"""

import datetime
from types import SimpleNamespace

import pytest

from casework.models import CaseEventKind, CaseStatus, MeetingKind, Outcome
from referrals.models import Status
from tests import factories as f
from tests.reports import factories as rf
from tests.reports.factories import FEEDBACK, at

TODAY = datetime.date(2026, 11, 20)
NOW = at(2026, 11, 20, 10)


@pytest.fixture
def cats(world):
    school = world.school
    return SimpleNamespace(
        low=rf.category(school, "low_achievement", "Low achievement", 1),
        attendance=rf.category(school, "attendance", "Attendance", 5),
        emotional=rf.category(school, "emotional", "Emotional", 7),
    )


@pytest.fixture
def data(world, cats):
    w = world
    w.student_c = f.enroll(f.StudentFactory(school=w.school, full_name="Citra"), w.class_a, w.term)
    w.student_d = f.enroll(f.StudentFactory(school=w.school, full_name="Dimas"), w.class_b, w.term)
    w.student_e = f.enroll(f.StudentFactory(school=w.school, full_name="Eka"), w.class_b, w.term)
    d = SimpleNamespace(world=w, cats=cats)

    # Cases first: accepted referrals point at them.
    d.c1 = rf.case(w.student_a, w.counselor, opened=at(2026, 11, 3, 10))
    d.c2 = rf.case(
        w.student_b,
        w.counselor2,
        opened=at(2026, 11, 13, 10),
        status=CaseStatus.CLOSED,
        closed=at(2026, 11, 18, 12),
        outcome=Outcome.IMPROVED,
    )
    d.c3 = rf.case(
        w.student_c,
        w.counselor,
        opened=at(2026, 9, 1),
        status=CaseStatus.MONITORING,
        # Closed on 1 Oct, then reopened: closed_at is left from the first
        # closing, but the case is not closed now.
        closed=at(2026, 10, 1),
        events=[CaseEventKind.OPENED, CaseEventKind.CLOSED, CaseEventKind.REOPENED],
    )
    d.c4 = rf.case(
        w.student_d,
        w.counselor2,
        opened=at(2026, 5, 1),
        status=CaseStatus.CLOSED,
        closed=at(2026, 6, 10),
        outcome=Outcome.RESOLVED,
    )
    d.c5 = rf.case(
        w.student_e,
        w.counselor2,
        opened=at(2026, 8, 1),
        status=CaseStatus.CLOSED,
        closed=at(2026, 9, 15),
        outcome=Outcome.NO_CHANGE,
    )
    d.other_case = rf.case(w.other_student, w.outsider, opened=at(2026, 11, 2))

    ref = rf.referral
    d.r1 = ref(
        w.student_a,
        w.teacher,
        filed=at(2026, 11, 2),
        triaged=at(2026, 11, 3, 8),
        status=Status.ACCEPTED,
        subject=w.maths,
        categories=[cats.low, cats.attendance],
        case=d.c1,
        events=FEEDBACK[Status.ACCEPTED],
        triaged_by=w.counselor,
    )
    d.r2 = ref(
        w.student_a,
        w.homeroom,
        filed=at(2026, 11, 6, 14),
        triaged=at(2026, 11, 7, 9),
        status=Status.DECLINED,
        subject=w.bahasa,
        categories=[cats.low],
        events=FEEDBACK[Status.DECLINED],
        triaged_by=w.counselor,
    )
    d.r3 = ref(
        w.student_b,
        w.other_teacher,
        filed=at(2026, 11, 9),
        triaged=at(2026, 11, 13, 8),
        status=Status.ACCEPTED,
        subject=w.maths,
        categories=[cats.emotional],
        case=d.c2,
        events=FEEDBACK[Status.ACCEPTED],
        triaged_by=w.counselor2,
    )
    d.r4 = ref(w.student_b, w.other_teacher, filed=at(2026, 11, 16), categories=[cats.attendance])
    d.r5 = ref(w.student_a, w.teacher, filed=at(2026, 11, 19), subject=w.maths, categories=[cats.low])
    d.r6 = ref(
        w.student_a,
        w.teacher,
        filed=at(2026, 11, 3),
        status=Status.WITHDRAWN,
        subject=w.maths,
        categories=[cats.emotional],
    )
    d.r7 = ref(
        w.student_b,
        w.other_teacher,
        filed=at(2026, 11, 4),
        status=Status.NEEDS_INFO,
        subject=w.maths,
        categories=[cats.low],
        events=FEEDBACK[Status.NEEDS_INFO],
        triaged_by=w.counselor2,
    )
    d.r10 = ref(
        w.student_a,
        w.homeroom,
        filed=at(2026, 11, 1, 0, 30),  # Sunday, just after midnight in Jakarta (Saturday in UTC)
        triaged=at(2026, 11, 2, 7),
        status=Status.DECLINED,
        categories=[cats.emotional],
        events=FEEDBACK[Status.DECLINED],
        triaged_by=w.counselor,
    )
    d.r8 = ref(
        w.student_a,
        w.teacher,
        filed=at(2026, 6, 15),
        triaged=at(2026, 6, 16),
        status=Status.ACCEPTED,
        subject=w.maths,
        categories=[cats.low],
        events=FEEDBACK[Status.ACCEPTED],
    )
    other_cat = rf.category(w.other_school, "low_achievement", "Low achievement")
    d.r9 = ref(w.other_student, w.outsider, filed=at(2026, 11, 2), categories=[other_cat])

    # Evaluation log.
    entry = rf.entry
    entry(d.c1, w.teacher, date=datetime.date(2026, 11, 10), next_follow_up=datetime.date(2026, 11, 17))  # overdue
    entry(d.c1, w.counselor, date=datetime.date(2026, 11, 12), next_follow_up=datetime.date(2026, 11, 25))
    entry(d.c2, w.other_teacher, date=datetime.date(2026, 11, 14), next_follow_up=datetime.date(2026, 11, 16))
    entry(d.c3, w.homeroom, date=datetime.date(2026, 6, 20), next_follow_up=datetime.date(2026, 11, 1))  # overdue
    entry(
        d.c1,
        w.teacher,
        date=datetime.date(2026, 11, 15),
        next_follow_up=datetime.date(2026, 11, 18),
        done=at(2026, 11, 18, 13),
    )
    entry(d.c3, w.vp, date=datetime.date(2026, 11, 5))
    entry(d.other_case, w.outsider, date=datetime.date(2026, 11, 5), next_follow_up=datetime.date(2026, 11, 6))

    # Goals: G1 up and closer, G2 down but further, G3 measured only before
    # the period, G4 without a baseline, G5 closer (a later value after the
    # period is ignored).
    d.g1 = rf.goal(d.c1, baseline=50, target=75)
    entry(d.c1, w.counselor, date=datetime.date(2026, 11, 5), goal=d.g1, value=60)
    entry(d.c1, w.counselor, date=datetime.date(2026, 11, 12), goal=d.g1, value=55)
    d.g2 = rf.goal(d.c3, baseline=8, target=2)
    entry(d.c3, w.counselor, date=datetime.date(2026, 10, 10), goal=d.g2, value=5)
    entry(d.c3, w.counselor, date=datetime.date(2026, 11, 10), goal=d.g2, value=9)
    d.g3 = rf.goal(d.c2, baseline=40, target=70)
    entry(d.c2, w.counselor2, date=datetime.date(2026, 6, 1), goal=d.g3, value=65)
    d.g4 = rf.goal(d.c1, baseline=None, target=80)
    entry(d.c1, w.counselor, date=datetime.date(2026, 11, 12), goal=d.g4, value=70)
    d.g5 = rf.goal(d.c5, baseline=10, target=2)
    entry(d.c5, w.counselor2, date=datetime.date(2026, 9, 1), goal=d.g5, value=4)
    entry(d.c5, w.counselor2, date=datetime.date(2027, 1, 5), goal=d.g5, value=12)

    # Meetings.
    rf.meeting(d.c1, w.counselor, starts_at=at(2026, 11, 10, 13))  # held
    rf.meeting(d.c1, w.counselor, starts_at=at(2026, 11, 25, 13))  # not yet
    rf.meeting(d.c2, w.counselor2, starts_at=at(2026, 11, 12, 13), kind=MeetingKind.COORDINATION)
    rf.meeting(d.c3, w.counselor, starts_at=at(2026, 6, 20, 13))  # before the period
    rf.meeting(d.c2, w.counselor2, starts_at=at(2026, 11, 14, 13))  # held
    rf.meeting(d.other_case, w.outsider, starts_at=at(2026, 11, 10, 13))
    return d
