"""CSV and XLSX files of the indicators and of the case list.

Headers and labels are translated into the active language (the requesting
user's). Every text cell is neutralised against formula injection, and small
numbers are replaced by "<5" when asked. Never any confidential note: the
case rows come from selectors.case_list(), which loads only listed columns.
"""

import io
import re

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook

from casework.models import CaseStatus, Outcome
from common.csv_export import safe_cell
from referrals.models import Status, Urgency
from reports import selectors
from reports.indicators import SUPPRESSED
from roster.schooldays import SchoolCalendar

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATASETS = ("indicators", "cases", "referrals")
# Datasets listed row by row (students' classes, cases): left out of copies
# shared outside the school, and built in the background when long.
LISTS = ("cases", "referrals")


def filename_for(*, dataset, filters, fmt):
    return f"sinergi-{dataset}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{fmt}"


# -- rows ----------------------------------------------------------------------


def _value(indicator, suppress):
    if indicator.hidden(suppress):
        return SUPPRESSED
    if indicator.value is None:
        return ""
    return indicator.value


def _count(n, suppress):
    return SUPPRESSED if suppress and 0 < n < 5 else n


def filter_rows(filters):
    return [[str(label), value] for label, value in filters.describe()]


def indicator_header():
    return [_("Indicator"), _("Value"), _("Unit"), _("Explanation")]


def indicator_rows(report):
    """The indicators, then the outcomes and each counselor's open cases."""
    suppress = report.filters.suppress
    rows = []
    for ind in report.indicators:
        rows.append([str(ind.label), _value(ind, suppress), str(ind.unit), str(ind.explanation)])
    for row in report.charts["outcomes"].rows:
        rows.append(
            [_("Cases closed as: %(outcome)s") % {"outcome": row["label"]}, _count(row["total"], suppress), "", ""]
        )
    for row in report.workload:
        name = row["full_name"] or row["username"]
        rows.append([_("Open cases led by %(name)s") % {"name": name}, _count(row["open_cases"], suppress), "", ""])
    return rows


def case_sheet_title():
    return _("Cases")


def case_header():
    return [
        _("Case"),
        _("Student"),
        _("Class"),
        _("Concerns"),
        _("Status"),
        _("Opened"),
        _("Closed"),
        _("Lead counselor"),
        _("Outcome"),
    ]


def case_rows(cases, concerns):
    """One row per case; dates are the school's local dates."""
    statuses = dict(CaseStatus.choices)
    outcomes = dict(Outcome.choices)
    for case in cases:
        classroom = case.student.classroom
        yield [
            case.number,
            case.student.full_name,
            classroom.name if classroom else "",
            ", ".join(concerns.get(case.pk, [])),
            str(statuses.get(case.status, case.status)),
            timezone.localdate(case.opened_at),
            timezone.localdate(case.closed_at) if case.closed_at and case.status == CaseStatus.CLOSED else None,
            case.lead_counselor.full_name or case.lead_counselor.username,
            str(outcomes.get(case.outcome, "")) if case.outcome else "",
        ]


def referral_sheet_title():
    return _("Referrals")


def referral_header():
    return [
        _("Referral"),
        _("Filed"),
        _("Class"),
        _("Concerns"),
        _("Urgency"),
        _("School days to triage"),
        _("Decision"),
        _("Case"),
        _("Case status"),
        _("Outcome"),
    ]


def referral_rows(referrals, concerns, calendar):
    """One row per referral; dates are the school's local dates. Days to
    triage count as the report's median does (from the latest submission)."""
    statuses = dict(Status.choices)
    urgencies = dict(Urgency.choices)
    case_statuses = dict(CaseStatus.choices)
    outcomes = dict(Outcome.choices)
    for referral in referrals:
        classroom = referral.student.classroom
        case = referral.case
        days = None
        if referral.triaged_at is not None:
            days = selectors.school_days_to_triage(
                calendar, timezone.localdate(referral.submitted_at), timezone.localdate(referral.triaged_at)
            )
        yield [
            referral.pk,
            timezone.localdate(referral.created_at),
            classroom.name if classroom else "",
            ", ".join(concerns.get(referral.pk, [])),
            str(urgencies.get(referral.urgency, referral.urgency)),
            days,
            str(statuses.get(referral.status, referral.status)),
            case.number if case else "",
            str(case_statuses.get(case.status, case.status)) if case else "",
            str(outcomes.get(case.outcome, "")) if case and case.outcome and case.status == CaseStatus.CLOSED else "",
        ]


# A list export reads its rows and their concerns this many at a time.
CHUNK_ROWS = 1000


def _chunks(items, size=CHUNK_ROWS):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def list_export(*, dataset, actor, filters, categories):
    """(sheet title, header, queryset, rows(iterable)) of a list dataset. The
    rows read the concerns of each chunk of CHUNK_ROWS rows as they go (one
    query a chunk), so that memory stays the same whatever the number of rows."""
    if dataset == "referrals":
        referrals = selectors.referral_list(actor=actor, filters=filters)
        calendar = SchoolCalendar(filters.school)

        def rows(items):
            for chunk in _chunks(items):
                concerns = selectors.referral_concerns([r.pk for r in chunk], categories)
                yield from referral_rows(chunk, concerns, calendar)

        return referral_sheet_title(), referral_header(), referrals, rows
    cases = selectors.case_list(actor=actor, filters=filters)

    def case_chunks(items):
        for chunk in _chunks(items):
            yield from case_rows(chunk, selectors.case_concerns([c.pk for c in chunk], categories))

    return case_sheet_title(), case_header(), cases, case_chunks


# -- writers ---------------------------------------------------------------------


def in_language(lines, language):
    """Yield from `lines` with `language` active (for streamed responses)."""
    with translation.override(language):
        yield from lines


def _xlsx_value(value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return safe_cell(value)
    return value


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(sheets, *, progress=None, every=500):
    """A workbook from [(title, rows)], written row by row (write-only mode).
    `progress(rows_done)` is called every `every` rows."""
    buffer = io.BytesIO()
    xlsx_write(buffer, sheets, progress=progress, every=every)
    return buffer.getvalue()


def xlsx_write(out, sheets, *, progress=None, every=500):
    """xlsx_bytes() into the file `out` (a large export: the rows never all in memory)."""
    workbook = Workbook(write_only=True)
    done = 0
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=_BAD_SHEET_CHARS.sub(" ", str(title))[:31])
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
            done += 1
            if progress and done % every == 0:
                progress(done)
    workbook.save(out)


def indicator_sheets(report):
    return [
        (_("Indicators"), [indicator_header(), *indicator_rows(report)]),
        (_("Filters"), [[_("Filter"), _("Value")], *filter_rows(report.filters)]),
    ]


def indicator_csv_rows(report):
    """The indicators, with the filters first (as rows of the same table)."""
    rows = [indicator_header()]
    rows += [[label, value, "", ""] for label, value in filter_rows(report.filters)]
    rows += indicator_rows(report)
    return rows


def counting(rows, progress, every=500):
    """Pass rows through, calling progress(n) every `every` rows."""
    for n, row in enumerate(rows, start=1):
        if n % every == 0:
            progress(n)
        yield row
