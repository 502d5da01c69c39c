"""CSV files for spreadsheet programs: UTF-8 with a byte-order mark, streamed
line by line, every text cell neutralised against formula injection."""

import csv
import datetime

from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(value):
    if isinstance(value, Promise):
        value = str(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return safe_cell(str(value)) if isinstance(value, str) else value


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows):
    """Encoded CSV lines, starting with a byte-order mark so that
    spreadsheet programs read UTF-8 (Indonesian names, "—")."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row]).encode("utf-8")
