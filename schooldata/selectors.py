"""Reading the school's records for other pages (the case record)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from schooldata.models import AttendanceMonth, Score, attendance_rate

MAX_TERMS = 4
MONTHS_BEFORE = 3


@dataclass
class Outcomes:
    """A student's grades per term and attendance per month, before and since a date."""

    since: datetime.date
    terms: list = field(default_factory=list)  # [(term name, since: bool)]
    subjects: list = field(default_factory=list)  # [(subject name, [average or None per term])]
    months: list = field(default_factory=list)  # [(month, rate, absent, since: bool)]

    def __bool__(self):
        return bool(self.subjects or self.months)


def student_outcomes(*, student, since: datetime.date) -> Outcomes:
    """Two queries: the student's scores by term and subject, and their attendance months."""
    outcomes = Outcomes(since=since)
    marks = defaultdict(lambda: defaultdict(list))
    terms = {}
    for term_id, name, starts_on, ends_on, subject, value in Score.objects.filter(student=student).values_list(
        "assessment__term_id",
        "assessment__term__name",
        "assessment__term__starts_on",
        "assessment__term__ends_on",
        "assessment__subject__name",
        "value",
    ):
        terms[term_id] = (starts_on, name, ends_on)
        marks[subject][term_id].append(value)
    chosen = sorted(terms, key=lambda t: terms[t][0])[-MAX_TERMS:]
    outcomes.terms = [(terms[t][1], terms[t][2] >= since) for t in chosen]
    for subject in sorted(marks):
        averages = []
        for t in chosen:
            values = marks[subject].get(t)
            averages.append(
                (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if values else None
            )
        if any(a is not None for a in averages):
            outcomes.subjects.append((subject, averages))
    start = (since.replace(day=1) - datetime.timedelta(days=MONTHS_BEFORE * 31)).replace(day=1)
    for m in AttendanceMonth.objects.filter(student=student, month__gte=start).order_by("month"):
        outcomes.months.append((m.month, attendance_rate(m.present, m.days), m.absent, m.month >= since.replace(day=1)))
    return outcomes
