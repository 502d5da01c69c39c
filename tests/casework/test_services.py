import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import services
from casework.models import (
    Action,
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    EntryKind,
    EvaluationEntry,
    Outcome,
    TeamRole,
)
from common.rules import RuleError
from notifications.models import Notification, NotificationKind
from referrals.models import Referral, Since, Status
from tests.casework.factories import accepted_case, planned_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_case_becomes_active_once_the_plan_has_a_goal_and_an_action(world):
    case = accepted_case(world)
    action = services.action_add(case=case, actor=world.counselor, description="Talk", responsible=world.teacher)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    services.goal_add(case=case, actor=world.counselor, statement="Calmer", indicator="Outbursts a week")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.STATUS_CHANGED)
    assert (event.from_status_label, event.to_status_label) == ("Open", "Active")
    # The team and the referring teacher are told, by case number only.
    told = Notification.objects.filter(kind=NotificationKind.CASE_STATUS)
    assert set(told.values_list("recipient__username", flat=True)) == {"teacher", "homeroom"}
    assert set(told.values_list("label", flat=True)) == {case.number}
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.ACTION_ASSIGNED).count() == 1
    assert action.responsible == world.teacher


def test_the_referring_teacher_is_told_even_off_the_team(world):
    case = planned_case(world)
    case.members.filter(user=world.teacher).delete()
    services.case_set_status(case=case, actor=world.counselor, status=CaseStatus.MONITORING)
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.CASE_STATUS).exists()


def test_only_allowed_transitions(world):
    case = accepted_case(world, student=world.student_b, teacher=world.other_teacher)
    with pytest.raises(RuleError, match="cannot be moved to monitoring"):
        services.case_set_status(case=case, actor=world.counselor, status=CaseStatus.MONITORING)
    case = planned_case(world)
    services.case_set_status(case=case, actor=world.counselor, status=CaseStatus.MONITORING)
    services.case_set_status(case=case, actor=world.counselor, status=CaseStatus.ACTIVE)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE


def test_closing_needs_an_outcome_and_a_final_entry_and_reopening_a_reason(world):
    case = planned_case(world)
    actor = Actor(world.counselor)
    with pytest.raises(RuleError):
        services.case_close(case=case, actor=actor, outcome="", final_note="Done")
    with pytest.raises(RuleError):
        services.case_close(case=case, actor=actor, outcome=Outcome.RESOLVED, final_note=" ")
    services.case_close(case=case, actor=actor, outcome=Outcome.RESOLVED, final_note="Back on track.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert EvaluationEntry.objects.get(case=case, is_final=True).note == "Back on track."
    # Open follow-ups end with the case.
    assert not EvaluationEntry.objects.filter(case=case, follow_up_done_at__isnull=True).exclude(next_follow_up=None)
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.CASE_CLOSED).exists()
    with pytest.raises(RuleError, match="closed"):
        services.goal_add(case=case, actor=world.counselor, statement="x", indicator="y")

    with pytest.raises(RuleError):
        services.case_reopen(case=case, actor=world.counselor, reason="")
    services.case_reopen(case=case, actor=world.counselor, reason="Absent again")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE and case.outcome == "" and case.closed_at is None
    assert CaseEvent.objects.get(case=case, kind=CaseEventKind.REOPENED).message == "Absent again"


def test_reopening_tells_the_team_and_the_referring_teachers(world):
    case = planned_case(world)
    services.case_add_member(case=case, user=world.counselor2, role=TeamRole.OTHER_COUNSELOR, actor=world.counselor)
    # A second referral joined the case; its teacher is not on the team.
    Referral.objects.create(
        school=world.school,
        student=world.student_a,
        referred_by=world.other_teacher,
        observation="Falls asleep in class.",
        observed_since=Since.WEEKS,
        status=Status.ACCEPTED,
        case=case,
    )
    services.case_close(case=case, actor=Actor(world.counselor), outcome=Outcome.IMPROVED, final_note="Ok")
    before = set(Notification.objects.values_list("pk", flat=True))

    services.case_reopen(case=case, actor=world.counselor, reason="Absent again")

    told = Notification.objects.exclude(pk__in=before)
    # The team (but not the counselor who reopened it) and every referring teacher, nobody else.
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "counselor2",
        "homeroom",
        "teacher",
        "teacher_b",
    ]
    assert set(told.values_list("kind", flat=True)) == {NotificationKind.CASE_STATUS}
    # A neutral label and a link back into the case, never the reason.
    assert set(told.values_list("label", flat=True)) == {case.number}
    assert set(told.values_list("url", flat=True)) == {reverse("casework:detail", args=[case.pk]) + "#status"}


def test_reopening_is_refused_while_the_student_has_another_open_case(world):
    case = planned_case(world)
    services.case_close(case=case, actor=Actor(world.counselor), outcome=Outcome.IMPROVED, final_note="Ok")
    services.case_open(student=world.student_a, lead_counselor=world.counselor, actor=world.counselor)
    with pytest.raises(RuleError, match="already has an open case"):
        services.case_reopen(case=case, actor=world.counselor, reason="Again")


def test_teachers_write_only_about_their_own_goals_and_actions(world):
    case = planned_case(world)
    other_goal = services.goal_add(case=case, actor=world.counselor, statement="Attendance", indicator="Days")
    teacher = Actor(world.teacher)
    entry = services.entry_add(
        case=case, actor=teacher, kind=EntryKind.PROGRESS_CHECK, date=TODAY(), action=case.action, measured_value=62
    )
    assert entry.goal == case.goal  # the action's goal
    services.entry_add(case=case, actor=teacher, kind=EntryKind.OBSERVATION, date=TODAY(), goal=case.goal)
    with pytest.raises(RuleError, match="responsible for"):
        services.entry_add(case=case, actor=teacher, kind=EntryKind.OBSERVATION, date=TODAY(), goal=other_goal)
    with pytest.raises(RuleError, match="responsible for"):
        services.entry_add(case=case, actor=teacher, kind=EntryKind.OBSERVATION, date=TODAY())
    with pytest.raises(RuleError, match="responsible for"):
        services.entry_add(case=case, actor=Actor(world.homeroom), kind=EntryKind.OBSERVATION, date=TODAY())
    # Counselors write about anything, but a measured value needs a goal.
    services.entry_add(case=case, actor=Actor(world.counselor2), kind=EntryKind.SESSION, date=TODAY(), note="Talked")
    with pytest.raises(RuleError, match="goal this value measures"):
        services.entry_add(
            case=case, actor=Actor(world.counselor), kind=EntryKind.SESSION, date=TODAY(), measured_value=3
        )


def test_a_new_entry_settles_the_authors_open_follow_ups(world):
    case = planned_case(world)
    assert case.entry.next_follow_up is not None
    services.entry_add(
        case=case,
        actor=Actor(world.counselor),
        kind=EntryKind.PROGRESS_CHECK,
        date=TODAY(),
        next_follow_up=TODAY() + datetime.timedelta(days=3),
    )
    open_ = EvaluationEntry.objects.filter(case=case, follow_up_done_at__isnull=True).exclude(next_follow_up=None)
    assert list(open_.values_list("next_follow_up", flat=True)) == [TODAY() + datetime.timedelta(days=3)]


def test_action_done_once_by_the_responsible_person(world):
    case = planned_case(world)
    with pytest.raises(PermissionDenied):
        services.action_done(action=case.action, actor=Actor(world.homeroom))
    entry = services.action_done(
        action=case.action, actor=Actor(world.teacher), note="Finished", measured_value=Decimal(66)
    )
    action = Action.objects.get(pk=case.action.pk)
    assert action.status == ActionStatus.DONE and action.completed_at and action.version == 2
    assert entry.action == action and entry.goal == case.goal and entry.measured_value == 66
    with pytest.raises(RuleError, match="already done"):
        services.action_done(action=action, actor=Actor(world.teacher))


def test_responsible_person_must_be_on_the_team(world):
    case = accepted_case(world)
    with pytest.raises(RuleError, match="on the case team"):
        services.action_add(case=case, actor=world.counselor, description="x", responsible=world.other_teacher)


def test_meeting_change_bumps_the_sequence_and_tells_the_attendees(world):
    case = planned_case(world)
    meeting = services.meeting_update(
        meeting=case.meeting,
        actor=world.counselor,
        sequence=case.meeting.sequence,
        place="Ruang kelas VII-A",
        attendees=[world.counselor, world.teacher, world.homeroom],
    )
    assert meeting.sequence == 1
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.MEETING_CHANGED).exists()
    assert Notification.objects.filter(recipient=world.homeroom, kind=NotificationKind.MEETING_SCHEDULED).exists()


def test_reassigning_the_lead_keeps_the_former_lead_on_the_team(world):
    case = planned_case(world)
    services.case_reassign_lead(case=case, counselor=world.counselor2, actor=world.vp)
    case.refresh_from_db()
    roles = dict(case.members.values_list("user__username", "role"))
    assert case.lead_counselor == world.counselor2
    assert roles["counselor2"] == "lead_counselor" and roles["counselor"] == "other_counselor"
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.LEAD_CHANGED).exists()


def test_notes_leave_no_trace_outside_the_notes(world):
    case = planned_case(world)
    events, notifications = CaseEvent.objects.count(), Notification.objects.count()
    services.note_add(case=case, actor=world.counselor, body="Private")
    assert (CaseEvent.objects.count(), Notification.objects.count()) == (events, notifications)
