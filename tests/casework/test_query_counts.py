"""The number of queries of /cases/, /cases/<id>/ and /tasks/ does not grow
with the data: pinned, and the same with 5 and with 500 cases (and with few or
many goals, actions, meetings and entries on one case)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework.models import (
    Action,
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    ConfidentialNote,
    EvaluationEntry,
    Goal,
    Meeting,
    TeamRole,
)
from casework.selectors import ENTRIES_SHOWN, TASKS_SHOWN
from referrals.models import Referral, Since, Status, Urgency
from roster.models import Student
from tests import factories as f
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db


def bulk_cases(world, n, start=0):
    """n cases led by the counselor, each with the teacher on the team, an
    urgent-or-not referral, a goal, two actions and two entries with follow-ups."""
    today = timezone.localdate()
    students = Student.objects.bulk_create(
        [
            Student(
                school=world.school,
                nisn=f"9{start + i:09d}",
                full_name=f"Siswa {i}",
                gender="L",
                classroom=world.class_a,
            )
            for i in range(n)
        ]
    )
    statuses = [CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.MONITORING]
    cases = Case.objects.bulk_create(
        [
            Case(
                school=world.school,
                year=2026,
                sequence=1000 + start + i,
                student=s,
                lead_counselor=world.counselor,
                status=statuses[i % 3],
            )
            for i, s in enumerate(students)
        ]
    )
    CaseMember.objects.bulk_create(
        [CaseMember(case=c, user=world.counselor, role=TeamRole.LEAD_COUNSELOR) for c in cases]
        + [CaseMember(case=c, user=world.teacher, role=TeamRole.REFERRING_TEACHER) for c in cases]
        + [CaseMember(case=c, user=world.homeroom, role=TeamRole.HOMEROOM_TEACHER) for c in cases]
    )
    Referral.objects.bulk_create(
        [
            Referral(
                school=world.school,
                student=c.student,
                referred_by=world.teacher,
                observation="Falls behind",
                observed_since=Since.WEEKS,
                urgency=Urgency.URGENT if i % 4 == 0 else Urgency.ROUTINE,
                status=Status.ACCEPTED,
                case=c,
            )
            for i, c in enumerate(cases)
        ]
    )
    goals = Goal.objects.bulk_create([Goal(case=c, statement="Maths", indicator="Score", baseline=50) for c in cases])
    Action.objects.bulk_create(
        [
            Action(
                case=g.case,
                goal=g,
                description="Practice",
                responsible=world.teacher,
                ends_on=today + datetime.timedelta(days=i % 10 - 3),
            )
            for i, g in enumerate(goals)
        ]
        + [Action(case=g.case, goal=g, description="Sessions", responsible=world.counselor) for g in goals]
    )
    EvaluationEntry.objects.bulk_create(
        [
            EvaluationEntry(
                case=g.case,
                author=author,
                date=today,
                goal=g,
                measured_value=55,
                next_follow_up=today + datetime.timedelta(days=i % 9 - 4),
            )
            for i, g in enumerate(goals)
            for author in (world.teacher, world.counselor)
        ]
    )
    return cases


def rich_case(world, n):
    """One case with n goals, actions, entries, events and notes, and n // 5 meetings and referrals."""
    case = bulk_cases(world, 1, start=10_000)[0]
    now = timezone.now()
    cat = category(world.school)
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                school=world.school,
                student=case.student,
                referred_by=world.teacher,
                observation="More",
                observed_since=Since.DAYS,
                teacher_view="Home",
                status=Status.ACCEPTED,
                case=case,
            )
            for _ in range(max(1, n // 5))
        ]
    )
    Referral.categories.through.objects.bulk_create(
        [Referral.categories.through(referral_id=r.pk, concerncategory_id=cat.pk) for r in referrals]
    )
    goals = Goal.objects.bulk_create(
        [Goal(case=case, statement=f"Goal {i}", indicator="x", baseline=1, target=9) for i in range(n)]
    )
    Action.objects.bulk_create(
        [Action(case=case, goal=g, description=f"Do {g.statement}", responsible=world.teacher) for g in goals]
    )
    EvaluationEntry.objects.bulk_create(
        [
            EvaluationEntry(
                case=case,
                author=world.teacher,
                date=timezone.localdate() - datetime.timedelta(days=i),
                goal=goals[i % n],
                measured_value=i % 10,
                note="ok",
            )
            for i in range(n)
        ]
    )
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(case=case, starts_at=now + datetime.timedelta(days=i - 2), place="BK", created_by=world.counselor)
            for i in range(max(1, n // 5))
        ]
    )
    Meeting.attendees.through.objects.bulk_create(
        [
            Meeting.attendees.through(meeting_id=m.pk, user_id=u.pk)
            for m in meetings
            for u in (world.teacher, world.counselor)
        ]
    )
    CaseEvent.objects.bulk_create([CaseEvent(case=case, actor=world.counselor, kind="goal_added") for _ in range(n)])
    ConfidentialNote.objects.bulk_create(
        [ConfidentialNote(case=case, author=world.counselor, body="n") for _ in range(n)]
    )
    return case


def _pinned(django_assert_num_queries, client, url, expected):
    client.get(url)  # warm caches (translations, templates) outside the count
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


# /cases/ for a counselor, 13 queries: session, user, savepoint (ATOMIC_REQUESTS),
# the actor's memberships, the totals (one aggregate over the annotated cases),
# the paginator's count, the page of cases (follow-ups, actions due and the
# urgent flag are subqueries), the page's goal measurements and progress
# decisions ("needs a decision"), referrals waiting in triage, the unread
# notifications of the menu, the class filter's choices, release savepoint.
CASELOAD_QUERIES = 13
# With the filter's fields from the cache (common.form_cache): no class choices.
CASELOAD_QUERIES_CACHED = 12


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("n", [5, 500])
def test_caseload_queries_do_not_grow(world, login, settings, django_assert_num_queries, n, cached):
    if not cached:
        settings.REPORT_CACHE_SECONDS = 0
    bulk_cases(world, n)
    expected = CASELOAD_QUERIES_CACHED if cached else CASELOAD_QUERIES
    response = _pinned(django_assert_num_queries, login(world.counselor), reverse("casework:caseload"), expected)
    assert response.context["totals"]["cases"] == n


# /cases/<id>/ for the counselor: session, user, savepoint, memberships,
# the case (with student, class, homeroom teacher, lead counselor), team, goals,
# actions, meetings, their attendees, entries, referrals, their concerns, case
# events, referral events, confidential notes, the audit row of this view, the
# school's staff (for the team and lead forms), unread notifications, release savepoint;
# since issue #14 the goals' progress decisions and the actions' sessions held; since
# issue #15 also the student's scores and attendance months (grades and attendance
# beside the plan): 24. (The goal form, with the school's subjects, is fetched on demand.)
DETAIL_QUERIES_COUNSELOR = 24
# For a teacher on the team, 23: no notes, no staff list and no goal form, but their
# homeroom classes (scope), decisions and sessions, and the student's scores and attendance months.
DETAIL_QUERIES_TEACHER = 23


@pytest.mark.parametrize(("cases", "rows"), [(5, 5), (500, 60)])
def test_case_page_queries_do_not_grow(world, login, django_assert_num_queries, cases, rows):
    bulk_cases(world, cases)
    case = rich_case(world, rows)
    url = reverse("casework:detail", args=[case.pk])
    response = _pinned(django_assert_num_queries, login(world.counselor), url, DETAIL_QUERIES_COUNSELOR)
    # A long log is folded to its newest entries; ?log=all shows all, with the same queries.
    assert len(response.context["page"].entries) == min(rows + 2, ENTRIES_SHOWN)
    assert response.context["page"].entry_count == rows + 2
    response = _pinned(django_assert_num_queries, login(world.counselor), url + "?log=all", DETAIL_QUERIES_COUNSELOR)
    assert len(response.context["page"].entries) == rows + 2
    _pinned(django_assert_num_queries, login(world.teacher), url, DETAIL_QUERIES_TEACHER)


# /tasks/ for a teacher, 10 queries: session, user, savepoint, memberships, their
# homeroom classes (scope), their open actions, their open follow-ups, the
# classroom guidance of the students they teach, unread notifications, release
# savepoint. A counselor's has no homeroom lookup and no classroom list: 8.
TASKS_QUERIES_TEACHER = 10
TASKS_QUERIES_COUNSELOR = 8


@pytest.mark.parametrize("n", [5, 500])
def test_tasks_queries_do_not_grow(world, login, django_assert_num_queries, n):
    bulk_cases(world, n)
    response = _pinned(
        django_assert_num_queries, login(world.teacher), reverse("casework:tasks"), TASKS_QUERIES_TEACHER
    )
    # The first of each list; ?all=1 (the same queries: the lists are sliced after reading) shows all.
    assert len(response.context["tasks"].actions) == min(n, TASKS_SHOWN)
    assert response.context["tasks"].action_count == n
    assert len(login(world.teacher).get(reverse("casework:tasks") + "?all=1").context["tasks"].actions) == n
    _pinned(django_assert_num_queries, login(world.counselor), reverse("casework:tasks"), TASKS_QUERIES_COUNSELOR)


# /cases/<id>/classroom/ for a teacher of the class who is not on the team, 9
# queries: session, user, savepoint, memberships, their homeroom classes
# (scope), the case (with student, class, lead counselor; the scope and
# whether they may open the case are subqueries), the audit row of this view,
# unread notifications, release savepoint. A counselor's has no homeroom lookup: 8.
CLASSROOM_QUERIES_TEACHER = 9
CLASSROOM_QUERIES_COUNSELOR = 8


@pytest.mark.parametrize("n", [5, 500])
def test_classroom_page_queries_do_not_grow(world, login, django_assert_num_queries, n):
    cases = bulk_cases(world, n)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(classroom_guidance="Seat near the front.")
    ipa = f.SubjectFactory(school=world.school, name="IPA")
    teacher = f.staff(world.school, "ipa", Role.TEACHER)
    f.TeachingAssignmentFactory(teacher=teacher, classroom=world.class_a, subject=ipa, term=world.term)
    url = reverse("casework:classroom", args=[cases[-1].pk])
    response = _pinned(django_assert_num_queries, login(teacher), url, CLASSROOM_QUERIES_TEACHER)
    assert "Seat near the front." in response.text
    _pinned(django_assert_num_queries, login(world.counselor), url, CLASSROOM_QUERIES_COUNSELOR)
    # Their /tasks/ lists every one of those students at the same cost.
    response = _pinned(django_assert_num_queries, login(teacher), reverse("casework:tasks"), TASKS_QUERIES_TEACHER)
    assert len(response.context["classroom_cases"]) == n
