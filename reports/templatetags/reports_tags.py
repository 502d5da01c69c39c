"""Numbers for the reports, formatted in the reader's language
(Indonesian: 1.234 and 2,5) and hidden when small numbers are suppressed."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

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
