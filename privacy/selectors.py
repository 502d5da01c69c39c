"""Everything Sinergi holds about one student, read in a fixed number of queries."""

from types import SimpleNamespace

from django.db.models import Prefetch

from casework.models import Case, CaseMember, ConfidentialNote
from forums.models import AgendaItem
from referrals.models import Referral, ReferralAttachment, ReferralEvent
from roster.models import Enrollment, Student
from schooldata.models import AttendanceMonth, Score, WarningDismissal


def export_student(*, actor, student_id):
    """The student of the actor's school with ``student_id``, or None."""
    if actor.school is None:
        return None
    return Student.objects.for_school(actor.school).select_related("school", "classroom").filter(pk=student_id).first()


def student_record(*, student, include_confidential=False):
    """The student's enrollments, referrals and cases with everything in them.
    Confidential notes are loaded only when asked for."""
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("classroom", "term__year")
        .order_by("term__starts_on", "id")
    )
    referrals = list(
        Referral.objects.filter(student=student)
        .select_related("referred_by", "subject", "triaged_by", "case")
        .prefetch_related(
            "categories",
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
            Prefetch("attachments", queryset=ReferralAttachment.objects.select_related("uploaded_by")),
            "input_requests__requested_from",
            "input_requests__requested_by",
        )
        .order_by("created_at", "id")
    )
    prefetches = [
        Prefetch("members", queryset=CaseMember.objects.select_related("user")),
        "goals",
        "actions__responsible",
        "actions__goal",
        "meetings__attendees",
        "meetings__created_by",
        "entries__author",
        "entries__goal",
        "events__actor",
        "referrals",
    ]
    if include_confidential:
        prefetches.append(
            Prefetch(
                "confidential_notes",
                queryset=ConfidentialNote.objects.select_related("author").order_by("created_at", "id"),
            )
        )
    cases = list(
        Case.objects.filter(student=student)
        .select_related("lead_counselor")
        .prefetch_related(*prefetches)
        .order_by("opened_at", "id")
    )
    # The school's records (schooldata): scores, attendance, "not needed" on the early-warning list.
    scores = list(
        Score.objects.filter(student=student)
        .select_related("assessment__term__year", "assessment__subject", "assessment__classroom")
        .order_by("assessment__term__starts_on", "assessment__subject__name", "assessment__date", "assessment_id")
    )
    attendance = list(AttendanceMonth.objects.filter(student=student).order_by("month"))
    dismissals = list(WarningDismissal.objects.filter(student=student).select_related("dismissed_by"))
    # The coordination forum's items about these cases (one query).
    forum_items = {}
    for item in (
        AgendaItem.objects.filter(case__in=cases)
        .select_related("sitting", "added_by")
        .order_by("sitting__starts_at", "id")
    ):
        forum_items.setdefault(item.case_id, []).append(item)
    for case in cases:
        case.forum_items = forum_items.get(case.pk, [])
    return SimpleNamespace(
        student=student,
        enrollments=enrollments,
        referrals=referrals,
        cases=cases,
        include_confidential=include_confidential,
        scores=scores,
        attendance=attendance,
        dismissals=dismissals,
    )
