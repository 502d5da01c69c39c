"""The report: indicators with their explanations, and the charts' data.

build_report() runs the selectors (a fixed number of queries) and turns their
results into plain objects that the page, the print view and the exports
share. Small-number suppression is decided here, once.
"""

import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Outcome
from reports import selectors
from roster.schooldays import SchoolCalendar

SMALL = 5  # counts 1..SMALL-1 are hidden when suppressing
SUPPRESSED = "<5"


def is_small(n):
    return n is not None and 0 < n < SMALL


class IndicatorKind:
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    AVERAGE = "average"


@dataclass
class Indicator:
    key: str
    label: str
    explanation: str
    value: object
    kind: str = IndicatorKind.COUNT
    numerator: int | None = None
    denominator: int | None = None
    # The count a derived value rests on: a share or a time computed from
    # fewer than 5 referrals is hidden when suppressing.
    base: int | None = None
    group: str = ""

    def hidden(self, suppress):
        if not suppress:
            return False
        if self.kind == IndicatorKind.COUNT:
            return is_small(self.value)
        return is_small(self.numerator) or is_small(self.denominator) or is_small(self.base)

    @property
    def unit(self):
        return {
            IndicatorKind.PERCENT: "%",
            IndicatorKind.DAYS: _("school days"),
            IndicatorKind.AVERAGE: _("cases"),
        }.get(self.kind, "")


# Okabe–Ito colours (told apart also with colour-blindness), then two more.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]
NO_CONCERN_COLOUR = "#6c757d"
HEAT_LEVELS = 4


@dataclass
class Chart:
    """Rows of (label, values) with the column labels: the accessible table
    and the data the SVG is drawn from."""

    key: str
    title: str
    caption: str
    columns: list  # [(key, label)]
    rows: list = field(default_factory=list)  # [{"label": ..., "values": [...], "total": n}]
    row_header: str = ""  # what the rows are: month, grade, subject …

    @property
    def empty(self):
        return not any(row["total"] for row in self.rows)

    def colour(self, index):
        key = self.columns[index][0]
        return NO_CONCERN_COLOUR if key == "cat_none" else PALETTE[index % len(PALETTE)]

    @property
    def legend(self):
        return [(label, self.colour(i)) for i, (_key, label) in enumerate(self.columns)]

    def bars(self):
        """Each row's segments as x/width in percent of the longest bar."""
        scale = max((sum(row["values"]) for row in self.rows), default=0) or 1
        result = []
        for row in self.rows:
            x, segments = 0.0, []
            for i, value in enumerate(row["values"]):
                width = 100 * value / scale
                if value:
                    segments.append(
                        {
                            "x": round(x, 2),
                            "width": round(width, 2),
                            "value": value,
                            "label": self.columns[i][1],
                            "colour": self.colour(i),
                        }
                    )
                x += width
            result.append({"label": row["label"], "total": row["total"], "segments": segments})
        return result

    def heat(self):
        """Each cell with a shading level 0..4 relative to the largest cell."""
        top = max((v for row in self.rows for v in row["values"]), default=0)
        return [
            {
                "label": row["label"],
                "total": row["total"],
                "cells": [
                    {"value": v, "level": math.ceil(HEAT_LEVELS * v / top) if top and v else 0} for v in row["values"]
                ],
            }
            for row in self.rows
        ]


@dataclass
class Report:
    filters: object
    indicators: list
    charts: dict
    workload: list
    categories: list
    # Change in the measured outcome between referral and closing, per concern
    # (goals measured from the school's records); small groups hidden when suppressed.
    outcome_changes: list = field(default_factory=list)


def _share(numerator, denominator):
    if not denominator:
        return None
    return round(100 * numerator / denominator, 1)


def build_report(*, actor, filters, categories, today=None, now=None, calendar=None):
    """All indicators and charts for the filters: a fixed number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    calendar = calendar or SchoolCalendar(filters.school)
    ref = selectors.referral_indicators(actor=actor, filters=filters)
    triage = selectors.triage_times(
        pairs=selectors.triage_pairs(actor=actor, filters=filters), calendar=calendar, today=today
    )
    cases = selectors.case_indicators(actor=actor, filters=filters)
    entries = selectors.entry_indicators(actor=actor, filters=filters, today=today)
    meetings = selectors.meeting_indicators(actor=actor, filters=filters, now=now)
    goals = selectors.goal_indicators(actor=actor, filters=filters)
    workload = selectors.counselor_workload(actor=actor, filters=filters)

    feedback_base = ref["received"] - ref["withdrawn_unanswered"]
    counselors = len(workload)
    workload_total = sum(row["open_cases"] for row in workload)
    triage_group = _("Referrals and triage")
    case_group = _("Cases")
    collab_group = _("Collaboration")
    indicators = [
        Indicator(
            "referrals_received",
            _("Referrals received"),
            _("Referrals teachers filed in the period, whatever happened to them afterwards."),
            ref["received"],
            group=triage_group,
        ),
        Indicator(
            "triage_median",
            _("Median time to triage"),
            _(
                "School days from a referral's submission to the counselor's decision (accept or decline), for "
                "the referrals decided so far; half took this long or less. When a counselor asks for more "
                "information, the clock starts again when the teacher resubmits. Weekends and holidays do not "
                "count: a referral triaged on a Saturday counts as triaged on the next school day."
            ),
            triage["median"],
            kind=IndicatorKind.DAYS,
            base=triage["triaged"],
            group=triage_group,
        ),
        Indicator(
            "triage_p90",
            _("Time to triage for 9 in 10 referrals"),
            # xgettext:no-python-format
            _("School days within which 90% of the triaged referrals were triaged (the 90th percentile)."),
            triage["p90"],
            kind=IndicatorKind.DAYS,
            base=triage["triaged"],
            group=triage_group,
        ),
        Indicator(
            "triage_within_target",
            _("Triaged within 3 school days"),
            _(
                "Share of referrals triaged within 3 school days. Referrals still waiting after 3 school days "
                "count as late; those waiting less are not counted yet."
            ),
            _share(triage["within_target"], triage["target_base"]),
            kind=IndicatorKind.PERCENT,
            numerator=triage["within_target"],
            denominator=triage["target_base"],
            group=triage_group,
        ),
        Indicator(
            "feedback_share",
            _("Teachers who got feedback"),
            _(
                "Share of the period's referrals where a counselor answered the teacher: asked for more "
                "information, accepted or declined. Referrals withdrawn before an answer are left out."
            ),
            _share(ref["with_feedback"], feedback_base),
            kind=IndicatorKind.PERCENT,
            numerator=ref["with_feedback"],
            denominator=feedback_base,
            group=triage_group,
        ),
        Indicator(
            "open_cases",
            _("Open cases"),
            _("Cases not closed today that were opened before the end of the period (a reopened case is open)."),
            cases["open"],
            group=case_group,
        ),
        Indicator(
            "cases_closed",
            _("Cases closed"),
            _("Cases closed in the period and still closed today."),
            cases["closed"],
            group=case_group,
        ),
        Indicator(
            "closed_good",
            _("Closed as resolved or improved"),
            _("Share of the cases closed in the period whose outcome was resolved or improved."),
            _share(cases["closed_good"], cases["closed"]),
            kind=IndicatorKind.PERCENT,
            numerator=cases["closed_good"],
            denominator=cases["closed"],
            group=case_group,
        ),
        Indicator(
            "overdue_follow_ups",
            _("Overdue follow-ups"),
            _("Follow-ups planned in the evaluation log before today, not yet done, on cases not closed."),
            entries["overdue"],
            group=case_group,
        ),
        Indicator(
            "workload",
            _("Open cases per counselor"),
            _(
                "Open cases divided by the school's counselors (and anyone else leading a case); "
                "the workload chart shows each counselor."
            ),
            round(workload_total / counselors, 1) if counselors else None,
            kind=IndicatorKind.AVERAGE,
            base=workload_total,
            group=case_group,
        ),
        Indicator(
            "goals_moved",
            _("Goals moving toward target"),
            _(
                "Share of the goals measured in the period whose latest measured value is closer to the target "
                "than the baseline was."
            ),
            _share(goals["moved"], goals["measured"]),
            kind=IndicatorKind.PERCENT,
            numerator=goals["moved"],
            denominator=goals["measured"],
            group=case_group,
        ),
        Indicator(
            "case_conferences",
            _("Case conferences held"),
            _("Case conferences that took place in the period."),
            meetings["held"],
            group=collab_group,
        ),
        Indicator(
            "referring_teachers",
            _("Teachers who referred"),
            _("Different teachers who filed at least one referral in the period: how broad the collaboration is."),
            ref["referring_teachers"],
            group=collab_group,
        ),
        Indicator(
            "evaluating_teachers",
            _("Teachers who wrote evaluations"),
            _(
                "Different teachers (not counselors) who wrote at least one evaluation log entry dated in the "
                "period: how many take part in joint evaluation."
            ),
            entries["entry_teachers"],
            group=collab_group,
        ),
    ]

    outcome_rows = [
        {"label": label, "values": [cases[f"outcome_{value}"]], "total": cases[f"outcome_{value}"]}
        for value, label in Outcome.choices
    ]
    charts = {
        "months": _month_chart(actor, filters, categories),
        "groups": _group_chart(actor, filters, categories),
        "subjects": _subject_chart(actor, filters),
        "outcomes": Chart(
            "outcomes",
            _("Case outcomes"),
            _("Cases closed in the period, by outcome."),
            [("n", _("Cases"))],
            outcome_rows,
            row_header=_("Outcome"),
        ),
        "workload": Chart(
            "workload",
            _("Counselor workload"),
            _("Open cases led by each counselor."),
            [("n", _("Open cases"))],
            [
                {
                    "label": row["full_name"] or row["username"],
                    "values": [row["open_cases"]],
                    "total": row["open_cases"],
                }
                for row in workload
            ],
            row_header=_("Counselor"),
        ),
    }
    outcome_changes = selectors.measured_outcome_change(actor=actor, filters=filters, categories=categories)
    for row in outcome_changes:
        row["label"] = row["label"] or _("No concern named")
        row["hidden"] = bool(filters.suppress) and is_small(row["cases"])
        row["cases_shown"] = SUPPRESSED if row["hidden"] else row["cases"]
    return Report(
        filters=filters,
        indicators=indicators,
        charts=charts,
        workload=workload,
        categories=categories,
        outcome_changes=outcome_changes,
    )


def _category_columns(rows, categories):
    """(key, label) of the concerns that occur, in the school's order, and
    of referrals naming none if there are any."""
    columns = [(f"cat_{c.pk}", str(c)) for c in categories]
    columns.append(("cat_none", _("No concern named")))
    return [(key, label) for key, label in columns if any(row[key] for row in rows)]


def _month_chart(actor, filters, categories):
    data = selectors.referrals_by_month(actor=actor, filters=filters, categories=categories)
    # TruncMonth gives midnight of the month's first day in the school's time zone.
    by_month = {timezone.localdate(row["month"]): row for row in data}
    used = _category_columns(data, categories)
    rows = []
    for month in selectors.months_between(filters.date_from, filters.date_to):
        row = by_month.get(month)
        rows.append(
            {
                "label": month,
                "values": [row[key] if row else 0 for key, _label in used],
                "total": row["total"] if row else 0,
            }
        )
    return Chart(
        "months",
        _("Referrals per month by concern"),
        _("A referral may name several concerns, so the concerns can add up to more than the referrals."),
        used,
        rows,
        row_header=_("Month"),
    )


def _group_chart(actor, filters, categories):
    data = selectors.referrals_by_group(actor=actor, filters=filters, categories=categories)
    used = _category_columns(data, categories)
    no_class = pgettext_lazy("student without a class", "No class")
    rows = []
    for row in data:
        if filters.breakdown == "classroom":
            label = row["student__classroom__name"] or no_class
        else:
            grade = row["student__classroom__grade"]
            label = _("Grade %(grade)s") % {"grade": grade} if grade is not None else no_class
        rows.append({"label": label, "values": [row[key] for key, _label in used], "total": row["total"]})
    if filters.breakdown == "classroom":
        title, row_header = _("Referrals by class and concern"), _("Class")
    else:
        title, row_header = _("Referrals by grade and concern"), _("Grade")
    return Chart(
        "groups",
        title,
        _("Darker cells have more referrals; every cell shows its number."),
        used,
        rows,
        row_header=row_header,
    )


def _subject_chart(actor, filters):
    data = selectors.referrals_by_subject(actor=actor, filters=filters)
    no_subject = _("No subject given")
    return Chart(
        "subjects",
        _("Referrals by subject"),
        _("The subject the referring teacher named."),
        [("n", _("Referrals"))],
        [{"label": row["subject__name"] or no_subject, "values": [row["n"]], "total": row["n"]} for row in data],
        row_header=_("Subject"),
    )
