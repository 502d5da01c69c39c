"""CSV files for spreadsheet programs: UTF-8 with a byte-order mark, streamed
line by line, every text cell neutralised against formula injection.

The separator and the decimal mark follow the active language, as Excel
expects them in that language's regional settings: Indonesian reads
"88,2" with semicolons between the cells, English "88.2" with commas."""

import csv
import datetime
import decimal

from django.utils import translation
from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# language -> (cell separator, decimal mark); any other language: English's.
CSV_STYLES = {"id": (";", ",")}
DEFAULT_CSV_STYLE = (",", ".")


def csv_style(language=None):
    """(separator, decimal mark) for `language` (default: the active one)."""
    language = (language or translation.get_language() or "").split("-")[0]
    return CSV_STYLES.get(language, DEFAULT_CSV_STYLE)


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(value, decimal_mark="."):
    if isinstance(value, Promise):
        value = str(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}".replace(".", decimal_mark)
    if isinstance(value, decimal.Decimal):
        return str(value).replace(".", decimal_mark)
    return safe_cell(str(value)) if isinstance(value, str) else value


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows, *, language=None):
    """Encoded CSV lines, starting with a byte-order mark so that
    spreadsheet programs read UTF-8 (Indonesian names, "—"). The style is
    `language`'s, by default the language active when the first line is read."""
    yield "\ufeff".encode()
    separator, decimal_mark = csv_style(language)
    writer = csv.writer(_Echo(), delimiter=separator)
    for row in rows:
        yield writer.writerow([_csv_value(v, decimal_mark) for v in row]).encode("utf-8")
