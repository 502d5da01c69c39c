"""Numbers for the reports, formatted in the reader's language
(Indonesian: 1.234 and 2,5) and hidden when small numbers are suppressed."""

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from reports.indicators import SUPPRESSED, IndicatorKind, is_small

register = template.Library()


def format_number(value, decimals=1):
    """Whole numbers without decimals, others with `decimals`, grouped."""
    if value is None:
        return "—"
    if isinstance(value, float | Decimal) and value == int(value):
        value = int(value)
    if isinstance(value, int):
        return number_format(value, 0, force_grouping=True)
    return number_format(value, decimals, force_grouping=True)


@register.filter
def num(value):
    return format_number(value)


@register.filter
def count(value, suppress=False):
    """A count, or <5 for 1..4 when suppressing."""
    if suppress and is_small(value):
        return SUPPRESSED
    return format_number(value)


@register.simple_tag
def indicator_value(indicator, suppress=False):
    if indicator.hidden(suppress):
        return SUPPRESSED
    if indicator.value is None:
        return "—"
    text = format_number(indicator.value)
    if indicator.kind == IndicatorKind.PERCENT:
        return f"{text}%"
    return text


@register.filter
def show_fraction(indicator, suppress=False):
    """Whether to print "n of m" under a share."""
    return indicator.kind == IndicatorKind.PERCENT and indicator.denominator and not indicator.hidden(suppress)


# The case and referral lists: 50 rows of ten cells each, drawn here rather than
# by the template engine (which spent a fifth of the report page on them). The
# markup is what templates/reports/partials/case_list.html and
# referral_list.html drew per row.


def _short_date(value):
    return date_format(template_localtime(value), "SHORT_DATE_FORMAT") if value else ""


def _or_dash(value):
    return value or "—"


def _case_row(c):
    closed = _short_date(c.closed_at) if c.status == "closed" and c.closed_at else "—"
    lead = c.lead_counselor
    return format_html(
        '<tr>\n<th scope="row"><a href="{}">{}</a></th>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n'
        '<td><span class="badge {}">{}</span></td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n</tr>\n',
        reverse("casework:detail", args=[c.pk]),
        c.number,
        c.student.full_name,
        _or_dash(c.student.classroom.name if c.student.classroom else ""),
        _or_dash(", ".join(str(concern) for concern in c.concerns)),
        "text-bg-secondary" if c.status == "closed" else "text-bg-primary",
        c.get_status_display(),
        _short_date(c.opened_at),
        closed,
        lead.full_name or lead.username,
        _or_dash(c.get_outcome_display()),
    )


@register.simple_tag
def case_rows(cases):
    return mark_safe("".join(_case_row(c) for c in cases))  # noqa: S308 - each row is format_html


def _referral_row(r):
    case = r.case
    if case:
        case_link = format_html('<a href="{}">{}</a>', reverse("casework:detail", args=[case.pk]), case.number)
        case_status = case.get_status_display()
        outcome = _or_dash(case.get_outcome_display()) if case.status == "closed" else "—"
    else:
        case_link = case_status = outcome = "—"
    return format_html(
        '<tr>\n<th scope="row"><a href="{}">#{}</a></th>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n'
        '<td class="text-end">{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n</tr>\n',
        reverse("referrals:detail", args=[r.pk]),
        r.pk,
        _short_date(r.created_at),
        _or_dash(r.student.classroom.name if r.student.classroom else ""),
        _or_dash(r.concerns),
        r.get_urgency_display(),
        "—" if r.triage_days is None else r.triage_days,
        r.get_status_display(),
        case_link,
        case_status,
        outcome,
    )


@register.simple_tag
def referral_rows(referrals):
    return mark_safe("".join(_referral_row(r) for r in referrals))  # noqa: S308 - each row is format_html
