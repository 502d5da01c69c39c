"""Who reaches which casework URL: anonymous, every role, a teacher on the
team and one who is not, the homeroom teacher of the student's class and of
another class, both counselors, the vice principal, the school admin (no case
content at all) and a user of another school."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import CaseMember, Goal, TeamRole
from tests.casework.factories import accepted_case, planned_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = ["teacher", "homeroom", "other_teacher", "counselor", "counselor2", "vp", "admin", "outsider"]
# Expected status per user, in the order of USERS.
READ = [200, 200, 404, 200, 200, 200, 404, 404]
LEAD = [403, 403, 404, 200, 200, 403, 404, 404]
REASSIGN = [403, 403, 404, 200, 200, 200, 404, 404]
ICS = [200, 403, 404, 200, 200, 200, 404, 404]  # the teacher attends, the homeroom teacher does not
RESPONSIBLE = [200, 403, 404, 200, 200, 403, 404, 404]  # the teacher's action
AUTHOR = [403, 403, 404, 200, 200, 403, 404, 404]  # the counselor's follow-up


@pytest.fixture
def case(world):
    return planned_case(world)


def _urls(case):
    pk = case.pk
    return {
        "detail": (reverse("casework:detail", args=[pk]), READ),
        "print": (reverse("casework:print", args=[pk]), READ),
        # The classroom guidance: the same for these users (the teachers of
        # VII-A are on the team or its homeroom teacher; see test_classroom.py).
        "classroom": (reverse("casework:classroom", args=[pk]), READ),
        "ics": (reverse("casework:meeting_ics", args=[pk, case.meeting.pk]), ICS),
        "team_add": (reverse("casework:team_add", args=[pk]), LEAD),
        "reassign": (reverse("casework:reassign", args=[pk]), REASSIGN),
        "summary": (reverse("casework:summary", args=[pk]), LEAD),
        "assessment": (reverse("casework:assessment", args=[pk]), LEAD),
        "guidance": (reverse("casework:guidance", args=[pk]), LEAD),
        "goal_add": (reverse("casework:goal_add", args=[pk]), LEAD),
        "goal_edit": (reverse("casework:goal_edit", args=[pk, case.goal.pk]), LEAD),
        "action_add": (reverse("casework:action_add", args=[pk]), LEAD),
        "action_edit": (reverse("casework:action_edit", args=[pk, case.action.pk]), LEAD),
        "action_done": (reverse("casework:action_done", args=[pk, case.action.pk]), RESPONSIBLE),
        "meeting_add": (reverse("casework:meeting_add", args=[pk]), LEAD),
        "meeting_edit": (reverse("casework:meeting_edit", args=[pk, case.meeting.pk]), LEAD),
        "decision_add": (reverse("casework:decision_add", args=[pk, case.meeting.pk]), LEAD),
        "entry_add": (reverse("casework:entry_add", args=[pk]), RESPONSIBLE),
        "follow_up_done": (reverse("casework:follow_up_done", args=[pk, case.entry.pk]), AUTHOR),
        "follow_up_add": (reverse("casework:follow_up_add", args=[pk]), LEAD),
        "note_add": (reverse("casework:note_add", args=[pk]), LEAD),
        "close": (reverse("casework:close", args=[pk]), LEAD),
        "reopen": (reverse("casework:reopen", args=[pk]), LEAD),
    }


NAMES = [
    "detail",
    "print",
    "classroom",
    "ics",
    "team_add",
    "reassign",
    "summary",
    "assessment",
    "guidance",
    "goal_add",
    "goal_edit",
    "action_add",
    "action_edit",
    "action_done",
    "meeting_add",
    "meeting_edit",
    "decision_add",
    "entry_add",
    "follow_up_done",
    "follow_up_add",
    "note_add",
    "close",
    "reopen",
]


def _user(world, key):
    return world.other_teacher if key == "other_teacher" else getattr(world, key)


@pytest.mark.parametrize("name", NAMES)
def test_case_pages_by_role(world, case, client, name):
    url, expected = _urls(case)[name]
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for key, status in zip(USERS, expected, strict=True):
        client.force_login(_user(world, key))
        assert client.get(url).status_code == status, (name, key)


def _payloads(world, case):
    today = timezone.localdate()
    when = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "team_add": ({"user": world.vp.pk, "role": TeamRole.VICE_PRINCIPAL}, LEAD),
        "summary": ({"summary": "New summary", "version": case.version}, LEAD),
        "goal_add": ({"statement": "Reads aloud", "indicator": "Pages a week"}, LEAD),
        "action_add": ({"description": "Reading buddy", "responsible": world.teacher.pk}, LEAD),
        "meeting_add": (
            {"kind": "coordination", "starts_at": when, "duration_minutes": 30, "place": "Ruang guru",
             "attendees": [world.counselor.pk]},
            LEAD,
        ),
        "entry_add": ({"kind": "observation", "date": today.isoformat(), "action": case.action.pk}, RESPONSIBLE),
        "note_add": ({"body": "A note"}, LEAD),
        "follow_up_add": ({"date": today.isoformat(), "note": "Check"}, LEAD),
        "status": ({"status": "monitoring"}, LEAD),
    }  # fmt: skip


def _snapshot(case):
    from casework.models import Case

    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.summary,
        case.members.count(),
        case.goals.count(),
        case.actions.count(),
        case.meetings.count(),
        case.entries.count(),
        case.confidential_notes.count(),
    )


@pytest.mark.parametrize(
    "name",
    [
        "team_add",
        "summary",
        "goal_add",
        "action_add",
        "meeting_add",
        "entry_add",
        "note_add",
        "follow_up_add",
        "status",
    ],
)
def test_writes_by_role(world, client, name):
    """Refused writes change nothing; allowed ones redirect to the case."""
    from casework.models import Case

    case = planned_case(world)
    for key, expected in zip(USERS, _payloads(world, case)[name][1], strict=True):
        before = _snapshot(case)
        client.force_login(_user(world, key))
        response = client.post(reverse(f"casework:{name}", args=[case.pk]), _payloads(world, case)[name][0])
        if expected == 200:
            assert response.status_code == 302, (name, key, response.text[:3000])
            assert _snapshot(case) != before
            # A fresh case for the next user, so that this write does not change theirs.
            Case.objects.all().delete()
            case = planned_case(world)
        else:
            assert response.status_code == expected, (name, key)
            assert _snapshot(case) == before


def test_status_change_is_post_only(world, case, login):
    assert login(world.counselor).get(reverse("casework:status", args=[case.pk])).status_code == 405


def test_homeroom_of_the_students_class_sees_the_case_without_being_on_the_team(world, case, login):
    CaseMember.objects.filter(case=case, user=world.homeroom).delete()
    client = login(world.homeroom)
    assert client.get(reverse("casework:detail", args=[case.pk])).status_code == 200


def test_homeroom_of_another_class_and_a_teacher_off_the_team_do_not(world, login):
    case_b = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    url = reverse("casework:detail", args=[case_b.pk])
    assert login(world.homeroom).get(url).status_code == 404
    assert login(world.teacher).get(url).status_code == 404
    assert login(world.other_teacher).get(url).status_code == 200


def test_a_teacher_added_to_the_team_gains_access(world, case, login):
    url = reverse("casework:detail", args=[case.pk])
    client = login(world.other_teacher)
    assert client.get(url).status_code == 404
    CaseMember.objects.create(case=case, user=world.other_teacher, role=TeamRole.SUBJECT_TEACHER)
    assert client.get(url).status_code == 200


def test_objects_of_another_case_are_not_found_through_this_one(world, case, login):
    other = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    goal = Goal.objects.create(case=other, statement="x", indicator="y")
    client = login(world.counselor)
    assert client.get(reverse("casework:goal_edit", args=[case.pk, goal.pk])).status_code == 404
    assert client.get(reverse("casework:meeting_ics", args=[other.pk, case.meeting.pk])).status_code == 404


DASHBOARDS = {
    # teacher, homeroom, other_teacher, counselor, counselor2, vp, admin, outsider
    "casework:caseload": [403, 403, 403, 200, 200, 403, 403, 200],
    "casework:tasks": [200, 200, 200, 200, 200, 200, 403, 200],
}


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_by_role(world, case, client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for key, status in zip(USERS, DASHBOARDS[name], strict=True):
        client.force_login(_user(world, key))
        response = client.get(url)
        assert response.status_code == status, (name, key)
        if status == 200 and key == "outsider":
            assert case.number not in response.text


def test_user_without_a_school_is_refused(db, login):
    client = login(UserFactory())
    assert client.get(reverse("casework:tasks")).status_code == 403
    assert client.get(reverse("casework:caseload")).status_code == 403


@pytest.mark.parametrize("superuser", [False, True])
def test_school_admin_sees_no_case_content_in_the_admin(world, case, login, superuser):
    world.admin.is_superuser = superuser
    world.admin.save()
    client = login(world.admin)
    assert "Casework" not in client.get(reverse("admin:index")).text
    assert client.get(reverse("admin:casework_case_changelist")).status_code == 403
    assert client.get(reverse("admin:casework_case_change", args=[case.pk])).status_code == 403
