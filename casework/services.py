"""Case changes that span rows: opening a case, joining referrals, the team.

Each function runs inside the caller's transaction (ATOMIC_REQUESTS), writes
the timeline and the notifications together with the change.
"""

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseEventKind, CaseMember, TeamRole
from notifications.models import Kind
from notifications.services import notify
from roster.models import School


def _next_sequence(*, school, year):
    # Lock the school row so two cases opened at once get distinct numbers.
    School.objects.select_for_update().filter(pk=school.pk).first()
    last = Case.objects.filter(school=school, year=year).aggregate(m=Max("sequence"))["m"] or 0
    return last + 1


def open_case_for(student):
    """The student's case that is not closed, if any."""
    return Case.objects.filter(student=student).exclude(status="closed").first()


def case_add_member(*, case, user, role, by):
    """Add a person to the team (once). Returns the membership."""
    member, created = CaseMember.objects.get_or_create(case=case, user=user, defaults={"role": role})
    if created:
        CaseEvent.objects.create(
            case=case,
            actor=by,
            kind=CaseEventKind.MEMBER_ADDED,
            message=f"{user.get_full_name()} · {member.get_role_display()}",
        )
        notify(
            school=case.school,
            recipients=[user],
            kind=Kind.ADDED_TO_TEAM,
            url=reverse("casework:detail", args=[case.pk]),
            label=case.number,
            exclude=by,
        )
    return member


def case_attach_referral(*, case, referral, by):
    """Link a referral to a case and put its teacher on the team."""
    referral.case = case
    case_add_member(case=case, user=referral.referred_by, role=TeamRole.REFERRING_TEACHER, by=by)
    CaseEvent.objects.create(case=case, actor=by, kind=CaseEventKind.REFERRAL_JOINED, message=str(referral))


def case_open(*, student, lead_counselor, by):
    """Open a new case for a student, with the lead counselor and the homeroom
    teacher of the student's class on the team."""
    year = timezone.localdate().year
    case = Case.objects.create(
        school=student.school,
        year=year,
        sequence=_next_sequence(school=student.school, year=year),
        student=student,
        lead_counselor=lead_counselor,
    )
    CaseEvent.objects.create(case=case, actor=by, kind=CaseEventKind.OPENED)
    case_add_member(case=case, user=lead_counselor, role=TeamRole.LEAD_COUNSELOR, by=by)
    homeroom = student.classroom.homeroom_teacher if student.classroom_id else None
    if homeroom is not None:
        case_add_member(case=case, user=homeroom, role=TeamRole.HOMEROOM_TEACHER, by=by)
    return case
