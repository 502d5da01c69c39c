"""The early-warning list: students of a class whose marks or attendance
crossed one of the school's thresholds (schooldata.models.Thresholds) and who
have no open referral or case. A prompt for people, never a label: it is shown
only to the class's homeroom teacher and its counselor, never exported and
never sent anywhere.

A student is listed when, in the school's records:
- their average in the current term is below the KKM in ``subjects_below``
  subjects or more (a score equal to the KKM passes);
- a subject's average fell by more than ``drop_points`` from the previous term;
- in their latest month of attendance, the rate is under ``min_attendance`` %,
  or they were absent without leave ``max_unexcused`` days or more.

"Not needed" keeps a student off the list until those figures change.
The whole list costs a fixed number of queries, whatever the class size.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from referrals.models import Referral, Status
from roster.models import Classroom, Student, Term
from schooldata.models import AttendanceMonth, Score, Thresholds, WarningDismissal, attendance_rate

OPEN_REFERRAL_STATUSES = (Status.SUBMITTED, Status.NEEDS_INFO)

# Filled by casework in its AppConfig.ready(): student ids (a queryset of
# "student_id" values) with a case that is not closed. casework sits above
# schooldata in the layers, so it registers instead of being imported.
_open_case_students = None


def register_open_cases(students_with_open_case):
    global _open_case_students
    _open_case_students = students_with_open_case


@dataclass
class Signal:
    kind: str  # "kkm", "drop", "attendance", "unexcused"
    text: str


@dataclass
class Warning:
    student: Student
    classroom: Classroom
    signals: list[Signal] = field(default_factory=list)
    signature: str = ""
    lowest: tuple | None = None  # (subject id, subject name, average) of the lowest subject below the KKM
    absences: int | None = None  # unexcused absences in the latest month

    @property
    def observation(self) -> str:
        """What was observed, with the figures, for the referral form."""
        lines = [_("From the school's records (early-warning list):")]
        lines += [f"- {signal.text}" for signal in self.signals]
        return "\n".join(lines)


def warning_classroom_ids(actor) -> set[int]:
    """The classes whose list the actor sees: their homeroom classes, and the
    classes they cover as counselor."""
    if actor.school is None or not actor.may("schooldata", "early_warning"):
        return set()
    ids = set(actor.homeroom_classroom_ids)
    if actor.is_counselor:
        ids |= set(Classroom.objects.for_school(actor.school).filter(counselor=actor.user).values_list("id", flat=True))
    return ids


def _mean(values):
    return (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def early_warnings(
    *, school, classroom_ids, include_dismissed=False
) -> tuple[list[Classroom], dict[int, list[Warning]], Thresholds]:
    """The classes and, per class id, the students the list names."""
    thresholds = Thresholds.for_school(school)
    classrooms = list(Classroom.objects.for_school(school).filter(pk__in=classroom_ids).order_by("grade", "name"))
    result = {c.pk: [] for c in classrooms}
    if not classrooms:
        return classrooms, result, thresholds
    students = list(Student.objects.for_school(school).active().filter(classroom__in=classrooms).order_by("full_name"))
    if not students:
        return classrooms, result, thresholds
    ids = [s.pk for s in students]
    terms = list(
        Term.objects.for_school(school)
        .filter(starts_on__lte=Term.objects.for_school(school).filter(is_current=True).values("starts_on")[:1])
        .order_by("-starts_on")[:2]
    )
    current_term = terms[0].pk if terms else None
    previous_term = terms[1].pk if len(terms) > 1 else None
    marks = defaultdict(lambda: defaultdict(list))  # (student, term) → subject → values
    names = {}
    for row in Score.objects.filter(student_id__in=ids, assessment__term_id__in=[t.pk for t in terms]).values_list(
        "student_id", "assessment__term_id", "assessment__subject_id", "assessment__subject__name", "value"
    ):
        student_id, term_id, subject_id, subject_name, value = row
        marks[(student_id, term_id)][subject_id].append(value)
        names[subject_id] = subject_name
    latest = {}
    for month in AttendanceMonth.objects.filter(student_id__in=ids).order_by("month"):
        latest[month.student_id] = month  # the last one wins
    busy = Q(pk__in=Referral.objects.filter(student_id__in=ids, status__in=OPEN_REFERRAL_STATUSES).values("student_id"))
    if _open_case_students is not None:
        busy |= Q(pk__in=_open_case_students(ids))
    taken = set(Student.objects.filter(busy).filter(pk__in=ids).values_list("pk", flat=True))
    dismissed = dict(WarningDismissal.objects.filter(student_id__in=ids).values_list("student_id", "signature"))
    by_pk = {c.pk: c for c in classrooms}

    for student in students:
        if student.pk in taken:
            continue
        warning = Warning(student=student, classroom=by_pk[student.classroom_id])
        figures = []
        now = {s: _mean(v) for s, v in marks.get((student.pk, current_term), {}).items()}
        before = {s: _mean(v) for s, v in marks.get((student.pk, previous_term), {}).items()}
        below = sorted(((avg, s) for s, avg in now.items() if avg < thresholds.kkm), key=lambda p: (p[0], names[p[1]]))
        if len(below) >= thresholds.subjects_below:
            listed = ", ".join(f"{names[s]} {_fmt(avg)}" for avg, s in below)
            warning.signals.append(
                Signal(
                    "kkm",
                    ngettext(
                        "Below the KKM (%(kkm)s) in %(count)d subject: %(subjects)s.",
                        "Below the KKM (%(kkm)s) in %(count)d subjects: %(subjects)s.",
                        len(below),
                    )
                    % {"kkm": _fmt(thresholds.kkm), "count": len(below), "subjects": listed},
                )
            )
            figures.append(("kkm", tuple((s, str(avg)) for avg, s in below)))
        if below:
            avg, subject_id = below[0]
            warning.lowest = (subject_id, names[subject_id], avg)
        for subject_id in sorted(now, key=lambda s: names[s]):
            if subject_id in before and before[subject_id] - now[subject_id] > thresholds.drop_points:
                warning.signals.append(
                    Signal(
                        "drop",
                        _("%(subject)s fell from %(before)s last term to %(now)s.")
                        % {
                            "subject": names[subject_id],
                            "before": _fmt(before[subject_id]),
                            "now": _fmt(now[subject_id]),
                        },
                    )
                )
                figures.append(("drop", subject_id, str(before[subject_id]), str(now[subject_id])))
        month = latest.get(student.pk)
        if month is not None:
            rate = attendance_rate(month.present, month.days)
            when = date_format(month.month, "F Y")
            if rate is not None and rate < thresholds.min_attendance:
                warning.signals.append(
                    Signal(
                        "attendance",
                        _("Attendance in %(month)s: %(rate)s%% (under %(min)s%%).")
                        % {"month": when, "rate": _fmt(rate), "min": _fmt(thresholds.min_attendance)},
                    )
                )
                figures.append(("attendance", str(month.month), str(rate)))
            if month.absent >= thresholds.max_unexcused:
                warning.signals.append(
                    Signal(
                        "unexcused",
                        ngettext(
                            "%(count)d day absent without leave in %(month)s.",
                            "%(count)d days absent without leave in %(month)s.",
                            month.absent,
                        )
                        % {"count": month.absent, "month": when},
                    )
                )
                figures.append(("unexcused", str(month.month), month.absent))
            warning.absences = month.absent
        if not warning.signals:
            continue
        warning.signature = hashlib.sha256(repr(figures).encode()).hexdigest()
        if not include_dismissed and dismissed.get(student.pk) == warning.signature:
            continue
        result[student.classroom_id].append(warning)
    return classrooms, result, thresholds


def warning_for(*, actor, student_id) -> Warning | None:
    """The student's current warning, when the actor sees their class's list and they are on it."""
    classroom_ids = warning_classroom_ids(actor)
    student = (
        Student.objects.for_school(actor.school).filter(pk=student_id, classroom_id__in=classroom_ids).first()
        if actor.school
        else None
    )
    if student is None:
        return None
    _classes, found, _t = early_warnings(
        school=actor.school, classroom_ids=[student.classroom_id], include_dismissed=True
    )
    return next((w for w in found.get(student.classroom_id, []) if w.student.pk == student.pk), None)
