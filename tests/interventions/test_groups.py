"""Group interventions: members from several cases, one register that writes
into each member's case log, members shown only to those who may see them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework.models import ActionSession, ActionStatus, CaseMember, EvaluationEntry
from common.rules import RuleError
from interventions import services
from interventions.models import Group, GroupAttendance, GroupMember, GroupSession
from tests import factories as f
from tests.casework.factories import accepted_case
from tests.casework.test_query_counts import _pinned

pytestmark = pytest.mark.django_db


def _goal(case):
    return casework.goal_add(
        case=case, actor=case.lead_counselor, statement="Fractions", indicator="Quiz", baseline=40, target=70
    )


def _member_case(world, classroom=None, counselor=None):
    student = f.enroll(f.StudentFactory(school=world.school), classroom or world.class_a, world.term)
    case = accepted_case(world, student=student, counselor=counselor, opened_days_ago=10)
    return case, _goal(case)


@pytest.fixture
def group(world):
    return services.group_create(
        actor=world.counselor, name="Remedial maths VII", leader=world.teacher, frequency="Thursdays", measure="Quiz"
    )


def test_joining_makes_the_group_an_action_of_the_case_run_by_its_leader(world, group):
    case, goal = _member_case(world, classroom=world.class_b, counselor=world.counselor2)
    member = services.group_add_member(group=group, actor=world.counselor, case=case, goal=goal)
    assert CaseMember.objects.filter(case=case, user=world.teacher).exists()
    assert (member.action.responsible, member.action.goal, member.action.case) == (world.teacher, goal, case)
    with pytest.raises(RuleError):
        services.group_add_member(group=group, actor=world.counselor, case=case)
    with pytest.raises(PermissionDenied):
        services.group_add_member(group=group, actor=world.teacher, case=case)


def test_a_session_writes_into_each_members_case_log(world, group):
    (case1, goal1), (case2, goal2) = _member_case(world), _member_case(world)
    m1 = services.group_add_member(group=group, actor=world.counselor, case=case1, goal=goal1)
    m2 = services.group_add_member(group=group, actor=world.counselor, case=case2, goal=goal2)
    today = timezone.localdate()
    session = services.group_record_session(
        group=group,
        actor=world.teacher,
        date=today,
        note="Equivalent fractions",
        rows=[(m1, True, Decimal("55")), (m2, False, None)],
    )
    e1 = EvaluationEntry.objects.get(case=case1)
    e2 = EvaluationEntry.objects.get(case=case2)
    assert (e1.goal, e1.measured_value, e1.author, e1.date) == (goal1, Decimal("55"), world.teacher, today)
    assert "present" in e1.note and "Equivalent fractions" in e1.note
    assert e2.measured_value is None and "absent" in e2.note
    assert ActionSession.objects.get(action=m1.action).held
    assert not ActionSession.objects.get(action=m2.action).held
    assert GroupAttendance.objects.filter(session=session).count() == 2
    # One session a day; absent students have no measurement; no future dates.
    with pytest.raises(RuleError):
        services.group_record_session(group=group, actor=world.teacher, date=today, rows=[(m1, True, None)])
    yesterday = today - datetime.timedelta(days=1)
    with pytest.raises(RuleError):
        services.group_record_session(group=group, actor=world.teacher, date=yesterday, rows=[(m1, False, 50)])
    with pytest.raises(RuleError):
        services.group_record_session(
            group=group, actor=world.teacher, date=today + datetime.timedelta(1), rows=[(m1, True, None)]
        )
    with pytest.raises(PermissionDenied):
        services.group_record_session(group=group, actor=world.homeroom, date=yesterday, rows=[(m1, True, None)])


def test_students_join_and_leave_on_dates(world, group):
    (case1, goal1), (case2, goal2) = _member_case(world), _member_case(world)
    today = timezone.localdate()
    m1 = services.group_add_member(
        group=group, actor=world.counselor, case=case1, goal=goal1, joined_on=today - datetime.timedelta(days=7)
    )
    m2 = services.group_add_member(group=group, actor=world.counselor, case=case2, goal=goal2, joined_on=today)
    services.group_record_session(
        group=group,
        actor=world.teacher,
        date=today - datetime.timedelta(days=3),
        rows=[(m1, True, Decimal(50)), (m2, True, Decimal(60))],
    )
    # m2 had not joined yet: only m1 is in that session.
    assert list(GroupAttendance.objects.values_list("member", flat=True)) == [m1.pk]
    services.group_member_leave(member=m1, actor=world.counselor)
    m1.refresh_from_db()
    assert m1.left_on == today and m1.action.status == ActionStatus.DONE
    # Joining again after leaving is allowed.
    services.group_add_member(group=group, actor=world.counselor, case=case1, goal=goal1)
    assert GroupMember.objects.filter(case=case1).count() == 2


def test_the_register_page_records_a_session(world, login, group):
    (case1, goal1), (case2, goal2) = _member_case(world), _member_case(world)
    m1 = services.group_add_member(group=group, actor=world.counselor, case=case1, goal=goal1)
    services.group_add_member(group=group, actor=world.counselor, case=case2, goal=goal2)
    client = login(world.teacher)
    page = client.get(reverse("interventions:group", args=[group.pk]))
    assert page.status_code == 200
    assert case1.student.full_name in page.text and case2.student.full_name in page.text
    url = reverse("interventions:group_register", args=[group.pk])
    data = {"date": timezone.localdate(), "note": "Fractions", f"present_{m1.pk}": "on", f"value_{m1.pk}": "61"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert GroupSession.objects.count() == 1
    assert EvaluationEntry.objects.get(case=case1).measured_value == Decimal(61)
    assert "absent" in EvaluationEntry.objects.get(case=case2).note
    # The same date again: an error next to the date, nothing saved.
    response = client.post(url, data)
    assert response.status_code == 200 and "already in the register" in response.text
    assert GroupSession.objects.count() == 1
    # A bad number is an error, not a 500.
    response = client.post(url, {**data, "date": timezone.localdate() - datetime.timedelta(1), f"value_{m1.pk}": "x"})
    assert response.status_code == 200
    assert GroupSession.objects.count() == 1


def test_counselors_start_groups_and_add_students_from_the_page(world, login):
    client = login(world.counselor)
    response = client.post(
        reverse("interventions:group_add"), {"name": "Study skills", "leader": world.counselor.pk, "measure": ""}
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Study skills")
    case, goal = _member_case(world)
    response = client.post(
        reverse("interventions:group_member_add", args=[group.pk]), {"member": f"{case.pk}:{goal.pk}"}
    )
    assert response.status_code == 302
    assert GroupMember.objects.get(group=group).goal == goal
    response = client.post(reverse("interventions:group_member_add", args=[group.pk]), {"member": "nonsense"})
    assert response.status_code == 200
    assert login(world.teacher).post(reverse("interventions:group_add"), {"name": "x"}).status_code == 403


def test_a_group_shows_each_student_only_to_who_may_see_them(world, login, group):
    # A student of VII-A (the leader teaches the class) and one of VIII-B.
    case_a, goal_a = _member_case(world)
    case_b, goal_b = _member_case(world, classroom=world.class_b, counselor=world.counselor2)
    services.group_add_member(group=group, actor=world.counselor, case=case_a, goal=goal_a)
    services.group_add_member(group=group, actor=world.counselor, case=case_b, goal=goal_b)
    url = reverse("interventions:group", args=[group.pk])
    # The leader joined both teams: sees both.
    text = login(world.teacher).get(url).text
    assert case_a.student.full_name in text and case_b.student.full_name in text
    # The leader leaves case B's team (say, the counselor removed them): B is counted, not named.
    CaseMember.objects.filter(case=case_b, user=world.teacher).delete()
    response = login(world.teacher).get(url)
    assert case_a.student.full_name in response.text
    assert case_b.student.full_name not in response.text
    assert "1 other student is in this group" in response.text
    assert [m.case for m in response.context["forms"]["register"].members] == [case_a]
    # Counselors and the vice principal see the school's groups; other teachers and other schools none.
    assert case_b.student.full_name in login(world.vp).get(url).text
    assert login(world.homeroom).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.admin).get(url).status_code == 404
    assert login(world.vp).post(reverse("interventions:group_register", args=[group.pk]), {}).status_code == 403
    assert login(world.admin).get(reverse("interventions:groups")).status_code == 403


@pytest.mark.parametrize("n", [1, 15])
def test_group_page_query_count_does_not_grow(world, login, django_assert_num_queries, group, n):
    members = []
    for _ in range(n):
        case, goal = _member_case(world)
        joined = timezone.localdate() - datetime.timedelta(days=5)
        members.append(
            services.group_add_member(group=group, actor=world.counselor, case=case, goal=goal, joined_on=joined)
        )
    for days in (1, 2, 3):
        services.group_record_session(
            group=group,
            actor=world.teacher,
            date=timezone.localdate() - datetime.timedelta(days=days),
            rows=[(m, True, Decimal(50 + days)) for m in members],
        )
    url = reverse("interventions:group", args=[group.pk])
    # The leader (a teacher): session, user, savepoint, memberships, the group
    # (scope), homeroom classes (scope of the students), members with whether
    # each may be seen, sessions, attendance, unread notifications, release.
    response = _pinned(django_assert_num_queries, login(world.teacher), url, 11)
    assert len(response.context["page"].members) == n
    # A counselor also gets the students to add: open cases and their goals.
    _member_case(world)
    _pinned(django_assert_num_queries, login(world.counselor), url, 12)


def test_a_student_leaves_on_a_date_from_the_page(world, login, group):
    case, goal = _member_case(world)
    joined = timezone.localdate() - datetime.timedelta(days=9)
    member = services.group_add_member(group=group, actor=world.counselor, case=case, goal=goal, joined_on=joined)
    url = reverse("interventions:group_member_leave", args=[group.pk])
    client = login(world.counselor)
    left = timezone.localdate() - datetime.timedelta(days=2)
    assert client.post(url, {"member": member.pk, "left_on": left}).status_code == 302
    member.refresh_from_db()
    assert member.left_on == left
    # Leaving twice, or another group's member: a message or 404, never a 500.
    assert client.post(url, {"member": member.pk}).status_code == 302
    assert client.post(url, {"member": 999999}).status_code == 404
    assert login(world.teacher).post(url, {"member": member.pk}).status_code == 403
