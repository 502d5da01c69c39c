"""Retention: the records of students who left school are anonymised after a period.

A student is due when they have left school (``is_active`` off), none of their
cases is still open, none of their referrals still waits for triage, and their
records were last active more than settings.RETENTION_YEARS_AFTER_LEAVING
years ago. "Last active" is the latest of: a case closing, a referral's last
change, the end of the last term they were enrolled in. A student with none of
these cannot be dated and is left alone.

Anonymising keeps what the school-wide reports count (dates, statuses,
outcomes, urgency, concern categories, ratings, measured values, class and
gender) and removes what names or describes the child:

- the student: name -> "Anonymised student <id>", NISN -> "X" + the id padded
  to 9 digits (unique, and never a valid NISN, so a later roster import of the
  same child makes a new record), NIS, birth date, guardian name and phone;
- confidential notes and referral attachments (rows and files) are deleted;
- free text is cleared: observations, what was tried, the teacher's view,
  decline reasons, feedback, colleagues' notes, timeline messages, case
  summaries, assessments, classroom guidance, goal and action wording,
  meeting agendas and minutes, evaluation notes, the reasons of progress
  decisions and of sessions not held.

The audit trail is kept as it is (it holds ids, never names or note text).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.http import int_to_base36
from django.utils.translation import gettext

from casework.models import (
    Action,
    ActionSession,
    Case,
    CaseEvent,
    CaseStatus,
    ConfidentialNote,
    EvaluationEntry,
    Goal,
    GoalDecision,
    Meeting,
)
from forums.models import AgendaItem
from referrals.models import OPEN_STATUSES, InputRequest, Referral, ReferralAttachment, ReferralEvent
from roster.models import Enrollment, Student

ANONYMISED_NISN_PREFIX = "X"


def anonymised_nisn(student_id: int) -> str:
    digits = f"{student_id:09d}"
    if len(digits) > 9:
        digits = int_to_base36(student_id).rjust(9, "0")
    return ANONYMISED_NISN_PREFIX + digits


def _in_school_language(text, **params):
    """Text stored in the database is written in the school's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text) % params


@dataclass
class RetentionItem:
    student_id: int
    classroom: str
    last_active: datetime.date
    referrals: int = 0
    cases: int = 0
    confidential_notes: int = 0
    attachments: int = 0


def retention_cutoff(*, now=None, years=None) -> datetime.date:
    """Records last active before this date are due."""
    years = settings.RETENTION_YEARS_AFTER_LEAVING if years is None else years
    return (timezone.localdate(now) if now else timezone.localdate()) - relativedelta(years=years)


def _left_students(school=None):
    open_case = Case.objects.filter(student=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    open_referral = Referral.objects.filter(student=OuterRef("pk"), status__in=OPEN_STATUSES)

    def latest(model, field):
        return Subquery(
            model.objects.filter(student=OuterRef("pk"))
            .order_by()
            .values("student")
            .annotate(latest=Max(field))
            .values("latest")[:1]
        )

    qs = (
        Student.objects.filter(is_active=False)
        .exclude(nisn__startswith=ANONYMISED_NISN_PREFIX)
        .exclude(Exists(open_case))
        .exclude(Exists(open_referral))
        .annotate(
            last_case_closed=latest(Case, "closed_at"),
            last_referral_change=latest(Referral, "updated_at"),
            last_term_end=latest(Enrollment, "term__ends_on"),
        )
        .select_related("classroom")
        .order_by("school_id", "id")
    )
    if school is not None:
        qs = qs.filter(school=school)
    return qs


def _last_active(student):
    dates = [
        timezone.localdate(value) if isinstance(value, datetime.datetime) else value
        for value in (student.last_case_closed, student.last_referral_change, student.last_term_end)
        if value is not None
    ]
    return max(dates) if dates else None


def _counts(student_id):
    return {
        "referrals": Referral.objects.filter(student_id=student_id).count(),
        "cases": Case.objects.filter(student_id=student_id).count(),
        "confidential_notes": ConfidentialNote.objects.filter(case__student_id=student_id).count(),
        "attachments": ReferralAttachment.objects.filter(referral__student_id=student_id).count(),
    }


def retention_due(*, school=None, now=None) -> list[RetentionItem]:
    """The students whose records are due for anonymising, with what they hold."""
    cutoff = retention_cutoff(now=now)
    items = []
    for student in _left_students(school).iterator(chunk_size=500):
        last_active = _last_active(student)
        if last_active is None or last_active >= cutoff:
            continue
        items.append(
            RetentionItem(
                student_id=student.pk,
                classroom=student.classroom.name if student.classroom else "",
                last_active=last_active,
                **_counts(student.pk),
            )
        )
    return items


def student_anonymise(*, student_id: int, now=None) -> bool:
    """Anonymise one student's records (see the module docstring), if they
    are still due. Returns whether anything was done."""
    with transaction.atomic():
        # Lock the student; check again under the lock (they may have come
        # back, or a case may have been reopened, since the list was made).
        if not list(Student.objects.select_for_update().filter(pk=student_id).values_list("pk", flat=True)):
            return False
        student = _left_students().filter(pk=student_id).first()
        if student is None:
            return False
        last_active = _last_active(student)
        if last_active is None or last_active >= retention_cutoff(now=now):
            return False

        removed = _in_school_language("[removed]")
        attachments = ReferralAttachment.objects.filter(referral__student_id=student_id)
        files = [item.file.name for item in attachments if item.file]
        storage = ReferralAttachment._meta.get_field("file").storage
        attachments.delete()
        # Files go once the database change is committed, never before.
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
        ConfidentialNote.objects.filter(case__student_id=student_id).delete()

        referrals = Referral.objects.filter(student_id=student_id)
        referrals.update(observation=removed, already_tried="", teacher_view="", latest_feedback="")
        # A declined referral must keep a reason (referral_declined_has_reason).
        referrals.exclude(decline_reason="").update(decline_reason=removed)
        ReferralEvent.objects.filter(referral__student_id=student_id).update(message="")
        InputRequest.objects.filter(referral__student_id=student_id).update(note="")

        Case.objects.filter(student_id=student_id).update(summary="", counselor_assessment="", classroom_guidance="")
        CaseEvent.objects.filter(case__student_id=student_id).update(message="")
        Goal.objects.filter(case__student_id=student_id).update(statement=removed, indicator=removed)
        Action.objects.filter(case__student_id=student_id).update(description=removed, frequency="")
        Meeting.objects.filter(case__student_id=student_id).update(agenda="", minutes="")
        # The coordination forum's items about the student: minutes and added topics.
        AgendaItem.objects.filter(Q(case__student_id=student_id) | Q(referral__student_id=student_id)).update(
            minutes="", title=""
        )
        EvaluationEntry.objects.filter(case__student_id=student_id).update(note="")
        GoalDecision.objects.filter(case__student_id=student_id).update(reason=removed)
        ActionSession.objects.filter(action__case__student_id=student_id).update(reason="")

        Student.objects.filter(pk=student_id).update(
            full_name=_in_school_language("Anonymised student %(id)s", id=student_id),
            nisn=anonymised_nisn(student_id),
            nis="",
            birth_date=None,
            guardian_name="",
            guardian_phone="",
        )
    return True


def retention_apply(*, dry_run: bool, school=None, now=None) -> list[RetentionItem]:
    """Anonymise every student due (or, with ``dry_run``, only list them).
    Each student is done in a transaction of their own."""
    items = retention_due(school=school, now=now)
    if dry_run:
        return items
    return [item for item in items if student_anonymise(student_id=item.student_id, now=now)]
