"""Hand-built report data: every timestamp is given, in the school's time zone
(Asia/Jakarta), so each indicator can be worked out by hand in the tests."""

import datetime
import itertools
import zoneinfo
from decimal import Decimal

from casework.models import Case, CaseEvent, CaseStatus, EvaluationEntry, Goal, Meeting, MeetingKind
from referrals.models import ConcernCategory, EventKind, Referral, ReferralEvent, Status

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
_sequence = itertools.count(1)


def at(year, month, day, hour=9, minute=0):
    """An aware datetime in the school's time zone."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=WIB)


def category(school, code, name, position=0):
    obj, _created = ConcernCategory.objects.get_or_create(
        school=school, code=code, defaults={"name": name, "position": position}
    )
    return obj


def referral(
    student,
    teacher,
    *,
    filed,
    status=Status.SUBMITTED,
    triaged=None,
    subject=None,
    categories=(),
    case=None,
    events=(),
    triaged_by=None,
):
    """A referral filed (and last submitted) at `filed`, triaged at `triaged`."""
    obj = Referral.objects.create(
        school=student.school,
        student=student,
        referred_by=teacher,
        subject=subject,
        observation="Sering tidak mengerjakan tugas.",
        observed_since="weeks",
        status=status,
        case=case,
        decline_reason="Bukan kesulitan belajar." if status == Status.DECLINED else "",
        triaged_by=triaged_by,
    )
    Referral.objects.filter(pk=obj.pk).update(created_at=filed, submitted_at=filed, triaged_at=triaged)
    obj.categories.set(categories)
    for kind in events:
        ReferralEvent.objects.create(referral=obj, actor=triaged_by or teacher, kind=kind)
    obj.refresh_from_db()
    return obj


def case(student, lead, *, opened, status=CaseStatus.ACTIVE, closed=None, outcome="", events=()):
    obj = Case.objects.create(
        school=student.school,
        year=opened.year,
        sequence=next(_sequence),
        student=student,
        lead_counselor=lead,
        status=status,
        outcome=outcome,
        summary="Ringkasan bersama.",
    )
    Case.objects.filter(pk=obj.pk).update(opened_at=opened, closed_at=closed)
    for kind in events:
        CaseEvent.objects.create(case=obj, actor=lead, kind=kind)
    obj.refresh_from_db()
    return obj


def entry(case_obj, author, *, date, next_follow_up=None, done=None, goal=None, value=None):
    return EvaluationEntry.objects.create(
        case=case_obj,
        author=author,
        date=date,
        next_follow_up=next_follow_up,
        follow_up_done_at=done,
        goal=goal,
        measured_value=Decimal(str(value)) if value is not None else None,
        note="Catatan evaluasi.",
    )


def goal(case_obj, *, baseline, target):
    return Goal.objects.create(
        case=case_obj,
        statement="Nilai matematika naik",
        indicator="nilai",
        baseline=Decimal(str(baseline)) if baseline is not None else None,
        target=Decimal(str(target)) if target is not None else None,
    )


def meeting(case_obj, by, *, starts_at, kind=MeetingKind.CASE_CONFERENCE):
    return Meeting.objects.create(case=case_obj, kind=kind, starts_at=starts_at, place="Ruang BK", created_by=by)


FEEDBACK = {
    Status.ACCEPTED: (EventKind.SUBMITTED, EventKind.ACCEPTED),
    Status.DECLINED: (EventKind.SUBMITTED, EventKind.DECLINED),
    Status.NEEDS_INFO: (EventKind.SUBMITTED, EventKind.INFO_REQUESTED),
}
