"""Goals measured from the school's records (schooldata): their values become
entries of the evaluation log, marked "from school records" with their source,
on the goal's chart like typed values. Typed entries stay possible.

Runs after every grade or attendance import (schooldata.hooks, registered in
CaseworkConfig.ready()) and when a goal is bound to a measure. Only values
dated from the day the case opened count; one entry per record and goal,
updated when a re-import corrects the value."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from casework.models import EntryKind, EvaluationEntry, Goal, SchoolMeasure
from common import report_version
from schooldata.models import AttendanceMonth, Score, attendance_rate


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@transaction.atomic
def sync_students(*, student_ids):
    """Bring the log of every open case of these students up to date."""
    goals = (
        Goal.objects.filter(case__student_id__in=student_ids)
        .exclude(case__status="closed")
        .exclude(measure="")
        .select_related("case", "measure_subject")
    )
    sync_goals(list(goals))


@transaction.atomic
def sync_goals(goals):
    goals = [g for g in goals if g.measure and not g.case.is_closed]
    if not goals:
        return
    today = timezone.localdate()
    students = {g.case.student_id for g in goals}
    subjects = {g.measure_subject_id for g in goals if g.measure == SchoolMeasure.SCORES and g.measure_subject_id}
    scores = defaultdict(list)  # (student, subject) → [(key, date, value, source)]
    if subjects:
        for score in Score.objects.filter(student_id__in=students, assessment__subject_id__in=subjects).select_related(
            "assessment__subject"
        ):
            a = score.assessment
            day = a.date or timezone.localdate(a.created_at)
            scores[(score.student_id, a.subject_id)].append(
                (f"score:{a.pk}", day, score.value, f"{a.subject.name} · {a.name}")
            )
    months = defaultdict(list)
    if any(g.measure == SchoolMeasure.ATTENDANCE for g in goals):
        for m in AttendanceMonth.objects.filter(student_id__in=students):
            rate = attendance_rate(m.present, m.days)
            if rate is not None:
                source = f"{m.month:%m/%Y}: H {m.present} · S {m.sick} · I {m.permitted} · A {m.absent}"
                months[m.student_id].append(
                    (f"attendance:{m.month:%Y-%m}", min(_month_end(m.month), today), rate, source)
                )
    existing = {
        (e.goal_id, e.source_key): e for e in EvaluationEntry.objects.filter(goal__in=goals).exclude(source_key="")
    }
    create, update = [], []
    for goal in goals:
        case = goal.case
        since = timezone.localdate(case.opened_at)
        if goal.measure == SchoolMeasure.SCORES:
            found = scores.get((case.student_id, goal.measure_subject_id), [])
        else:
            found = months.get(case.student_id, [])
            since = since.replace(day=1)
        for key, day, value, source in found:
            if day < since:
                continue
            value = Decimal(value).quantize(Decimal("0.1"))
            entry = existing.get((goal.pk, key))
            if entry is None:
                create.append(
                    EvaluationEntry(
                        case=case,
                        author_id=case.lead_counselor_id,
                        kind=EntryKind.PROGRESS_CHECK,
                        date=max(day, since),
                        goal=goal,
                        measured_value=value,
                        source=source[:200],
                        source_key=key,
                    )
                )
            elif entry.measured_value != value or entry.source != source[:200]:
                entry.measured_value, entry.source = value, source[:200]
                update.append(entry)
    EvaluationEntry.objects.bulk_create(create, batch_size=500)
    EvaluationEntry.objects.bulk_update(update, ["measured_value", "source"], batch_size=200)
    if create or update:
        # bulk_create and bulk_update send no signals.
        for school_id in {goal.case.school_id for goal in goals}:
            report_version.bump(school_id)
