"""Roster import: students, staff accounts, classes and teaching assignments
from CSV or XLSX files (also Dapodik's student export).

Two steps, used by the web page and by ``manage.py import_roster``:

    result, table = roster_import_preview(school=school, data=data, kind=None)
    # show result: what each row will do, or every problem with its row and column
    result = roster_import_commit(school=school, table=table)

The commit checks the table again (the database may have changed since the
preview) and writes everything in one transaction, or nothing at all.
See docs/roster-import.md for the columns.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roster.importing.columns import ColumnKind
from roster.importing.kinds import CHECKERS
from roster.importing.reading import ImportFileError, Table, read_table
from roster.importing.result import ImportAction, ImportResult, RowError, RowResult

__all__ = [
    "ImportAction",
    "ImportFileError",
    "ImportResult",
    "ColumnKind",
    "RowError",
    "RowResult",
    "Table",
    "read_table",
    "roster_import_check",
    "roster_import_commit",
    "roster_import_preview",
]


def roster_import_check(*, school, table: Table) -> ImportResult:
    """What importing the table would do; writes nothing."""
    result = ImportResult(
        kind=table.kind,
        header_row=table.header_row,
        columns=list(table.labels),
        ignored_columns=list(table.ignored),
    )
    CHECKERS[table.kind](school=school, table=table, result=result)
    return result


def roster_import_preview(*, school, data: bytes, kind: str | None = None) -> tuple[ImportResult, Table | None]:
    """Read an uploaded file and check it. The table is None when the file
    itself cannot be read; the result then holds one file-level error."""
    try:
        table = read_table(data, kind=kind or None)
    except ImportFileError as error:
        result = ImportResult(kind=kind or "")
        result.file_error(error.message)
        return result, None
    return roster_import_check(school=school, table=table), table


def roster_import_commit(*, school, table: Table, dry_run: bool = False, good_rows_only: bool = False) -> ImportResult:
    """Check the table again and, when every row is good, write it all in one
    transaction. With ``good_rows_only``, rows that only hold formulas to retype
    are left out and the others written. ``result.committed`` says whether
    anything was written."""
    with transaction.atomic():
        result = roster_import_check(school=school, table=table)
        if dry_run or not (result.importable if good_rows_only else result.ok):
            return result
        try:
            with transaction.atomic():
                result.apply()
        except IntegrityError:
            # Someone changed the roster between the check and the writes.
            result.file_error(_("The roster changed while importing, so nothing was saved. Please import again."))
        else:
            result.committed = True
    return result
