"""Cases for casework tests, built the way the app builds them: an accepted
referral joined to a case through casework.services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.policy import Actor
from casework import services
from casework.models import Case, EntryKind, MeetingKind
from referrals.models import Referral, Since, Status, Urgency


def accepted_case(
    world, *, student=None, teacher=None, counselor=None, urgency=Urgency.ROUTINE, teacher_view="", opened_days_ago=0
):
    """An accepted referral by ``teacher`` and the case it opened, led by ``counselor``
    (``opened_days_ago``, so that entries may be dated before today)."""
    student = student or world.student_a
    teacher = teacher or world.teacher
    counselor = counselor or world.counselor
    referral = Referral.objects.create(
        school=student.school,
        student=student,
        referred_by=teacher,
        subject=world.maths,
        observation="Stops working after ten minutes; maths scores fell from 70 to 55.",
        observed_since=Since.WEEKS,
        urgency=urgency,
        teacher_view=teacher_view,
        status=Status.ACCEPTED,
        triaged_by=counselor,
        triaged_at=timezone.now(),
    )
    case = services.case_open(student=student, lead_counselor=counselor, actor=counselor)
    services.case_attach_referral(case=case, referral=referral, actor=counselor)
    referral.save()
    if opened_days_ago:
        Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=opened_days_ago))
        case.refresh_from_db()
    return case


def planned_case(world, **kwargs):
    """A case with a goal, an action for the referring teacher, a meeting the
    teacher attends and a measured entry with a follow-up."""
    case = accepted_case(world, **kwargs)
    counselor = case.lead_counselor
    goal = services.goal_add(
        case=case,
        actor=counselor,
        statement="Maths score back to the class average",
        indicator="Weekly maths quiz score",
        baseline=Decimal("55"),
        target=Decimal("70"),
        unit="points",
        target_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    action = services.action_add(
        case=case,
        actor=counselor,
        description="Ten minutes of fraction practice after class",
        responsible=world.teacher,
        goal=goal,
        frequency="twice a week",
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    meeting = services.meeting_schedule(
        case=case,
        actor=counselor,
        kind=MeetingKind.CASE_CONFERENCE,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=45,
        place="Ruang BK",
        attendees=[counselor, world.teacher],
        agenda="Plan for the next month",
    )
    entry = services.entry_add(
        case=case,
        actor=Actor(counselor),
        kind=EntryKind.PROGRESS_CHECK,
        date=timezone.localdate(),
        goal=goal,
        measured_value=Decimal("58"),
        note="Slightly better on fractions.",
        next_follow_up=timezone.localdate() + datetime.timedelta(days=7),
    )
    case.refresh_from_db()
    case.goal, case.action, case.meeting, case.entry = goal, action, meeting, entry
    return case
