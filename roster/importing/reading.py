"""Read an uploaded file into a Table: the header row found by its column
names, the kind of data it holds, and the data rows (only the columns we use).

Accepts what schools really have: XLSX (also Dapodik's export, with title
rows above a two-row header), CSV in UTF-8 with or without a BOM, Windows-1252
or UTF-16, separated by commas, semicolons (Excel in the Indonesian locale)
or tabs."""

import codecs
import csv
import io
import itertools
from dataclasses import dataclass, field
from functools import cached_property

import filetype
from django.utils.translation import gettext as _

from roster.importing.cleaning import cell_text
from roster.importing.columns import (
    ALIASES,
    COLUMNS,
    GRID_CLASS_PREFIX,
    ColumnKind,
    header_key,
    required_fields,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 250
HEADER_SCAN = 30  # the header must be among the first rows
DELIMITERS = (",", ";", "\t")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


@dataclass
class Table:
    kind: str
    header_row: int
    fields: list[str]  # the field each kept column holds
    labels: list[str]  # that column's header, as written in the file
    rows: list[tuple[int, list[str]]]  # (row number in the file, values of the kept columns)
    ignored: list[str] = field(default_factory=list)
    source: str = ""  # "csv" or "xlsx"
    formulas: list[tuple[int, str]] = field(default_factory=list)  # (row, field) of formulas with no saved value

    def is_formula(self, number: int, field_name: str) -> bool:
        return (number, field_name) in self._formula_cells

    @cached_property
    def _formula_cells(self) -> set[tuple[int, str]]:
        return {(int(n), f) for n, f in self.formulas}

    def records(self):
        """(row number, {field: value}) for each data row."""
        for number, values in self.rows:
            yield number, dict(zip(self.fields, values, strict=True))

    def label(self, field_name: str) -> str:
        """The header of a field's column as the file names it."""
        if field_name in self.fields:
            return self.labels[self.fields.index(field_name)]
        return next(str(c.label) for c in COLUMNS[self.kind] if c.field == field_name)

    def has(self, field_name: str) -> bool:
        return field_name in self.fields

    def to_dict(self):
        return {
            "kind": self.kind,
            "header_row": self.header_row,
            "fields": self.fields,
            "labels": self.labels,
            "rows": self.rows,
            "ignored": self.ignored,
            "source": self.source,
            "formulas": [list(pair) for pair in self.formulas],
        }

    @classmethod
    def from_dict(cls, data):
        known = {c.field for c in COLUMNS.get(data["kind"], ())}
        if data.get("kind") == ColumnKind.TIMETABLE_GRID:
            known |= {f for f in data["fields"] if isinstance(f, str) and f.startswith(GRID_CLASS_PREFIX)}
        if not known or not set(data["fields"]) <= known or len(data["fields"]) != len(data["labels"]):
            raise ValueError("not a roster import table")
        return cls(
            kind=data["kind"],
            header_row=data["header_row"],
            fields=list(data["fields"]),
            labels=list(data["labels"]),
            rows=[(int(number), list(values)) for number, values in data["rows"]],
            ignored=list(data.get("ignored", [])),
            source=data.get("source", ""),
            formulas=[(int(number), str(name)) for number, name in data.get("formulas", [])],
        )


Grid = list[tuple[int, list[str]]]


def read_table(data: bytes, *, kind: str | None = None) -> Table:
    """Find the header and the data rows in an uploaded file, or raise ImportFileError."""
    source, grids, formulas, problems = _read_grids(data)
    found = [(header, grid) for grid in grids if (header := _locate(grid, kind))]
    if not found:
        if problems:
            raise problems[0]
        raise ImportFileError(_why_no_header(grids, kind))
    header, grid = max(found, key=lambda pair: pair[0].score)
    if kind:
        # A student list read as classes would make a class of every name.
        guessed = _guess(grids)
        if guessed and guessed.kind != kind and guessed.score > header.score:
            raise ImportFileError(_looks_like(guessed.kind, kind))
    return _table(header, grid, source, formulas.get(id(grid), set()))


def read_grids(data: bytes) -> tuple[str, list[Grid], dict[int, set[tuple[int, int]]]]:
    """The raw cells of an uploaded file, for importers whose columns are not
    fixed (schooldata's grade ledger): ("csv" or "xlsx", the grids (one per
    sheet, or one per CSV separator tried), and per grid the (row, column) of
    formulas with no saved value). Raises ImportFileError like read_table."""
    source, grids, formulas, problems = _read_grids(data)
    if not grids and problems:
        raise problems[0]
    return source, grids, formulas


def _read_grids(data: bytes):
    if not data or not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is too large (at most 5 MB)."))
    problems, formulas = [], {}
    if data.startswith(b"PK\x03\x04"):
        source, grids = "xlsx", _xlsx_grids(data, formulas)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls) or a workbook with a password. Save it as Excel Workbook "
                "(.xlsx) without a password, or as CSV, and upload it again."
            )
        )
    else:
        text = _decode(data)
        if not text.strip(" \t\r\n,;\"'\ufeff"):  # only separators: an empty sheet saved as CSV
            raise ImportFileError(_("The file is empty."))
        source, grids = "csv", []
        for delimiter in DELIMITERS:
            try:
                grids.append(_csv_grid(text, delimiter))
            except ImportFileError as problem:  # maybe only with the wrong separator
                problems.append(problem)
        if not grids:
            raise problems[0]

    if not any(any(cells) for grid in grids for _number, cells in grid):
        raise ImportFileError(_("The file is empty."))
    return source, grids, formulas, problems


# Reading bytes ------------------------------------------------------------


def _not_a_spreadsheet(data: bytes) -> ImportFileError:
    guess = filetype.guess(data[:8192])
    if guess is not None:
        return ImportFileError(
            _("This file is a %(type)s file, not a CSV or Excel (XLSX) file. Choose the spreadsheet file.")
            % {"type": guess.extension.upper()}
        )
    return ImportFileError(
        _("This file is not a CSV or Excel (XLSX) file. Save the spreadsheet as CSV or XLSX and upload it again.")
    )


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet(data) from None
    if b"\x00" in data[:8192]:
        raise _not_a_spreadsheet(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows is saved in the Windows code page.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet(data) from None
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if control > len(sample) // 100:
        raise _not_a_spreadsheet(data)
    return text


def _csv_grid(text: str, delimiter: str) -> Grid:
    grid = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + HEADER_SCAN + 2:
                raise ImportFileError(_("The file has too many rows (at most %(max)d).") % {"max": MAX_ROWS})
            grid.append((number, [cell_text(c) for c in cells[:MAX_COLUMNS]]))
    except csv.Error:
        raise ImportFileError(
            _("Row %(row)d of the file could not be read as CSV (check its quotation marks).")
            % {"row": reader.line_num}
        ) from None
    return grid


def _xlsx_grids(data: bytes, formulas: dict[int, set[tuple[int, int]]]) -> list[Grid]:
    """The sheets' cells as Excel last saved them (a formula's cached value);
    ``formulas`` gets, per grid, the (row, column) of formulas with no saved value."""
    import openpyxl

    bad = ImportFileError(
        _(
            "This file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or CSV and upload it again."
        )
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The same cells once more, as typed: a formula's text where it has no saved value.
        typed = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on damaged or foreign ZIP files
        raise bad from None
    grids = []
    try:
        for sheet, typed_sheet in zip(workbook.worksheets[:10], typed.worksheets[:10], strict=True):
            for each in (sheet, typed_sheet):
                if hasattr(each, "reset_dimensions"):
                    each.reset_dimensions()  # do not trust the size the file declares
            grid, blank_run, found = [], 0, set()
            rows = zip(sheet.iter_rows(values_only=True), typed_sheet.iter_rows(values_only=True), strict=False)
            for number, (values, as_typed) in enumerate(rows, start=1):
                cells = [cell_text(v) for v in values[:MAX_COLUMNS]]
                unread = {
                    (number, position)
                    for position, (cell, typed_value) in enumerate(zip(cells, as_typed, strict=False))
                    if not cell and isinstance(typed_value, str) and typed_value.startswith("=")
                }
                found |= unread
                if any(cells) or unread:
                    blank_run = 0
                    grid.append((number, cells))
                else:
                    blank_run += 1
                    if blank_run > 1000:  # formatting down to row 1,048,576
                        break
                if len(grid) > MAX_ROWS + HEADER_SCAN + 2:
                    raise ImportFileError(_("The file has too many rows (at most %(max)d).") % {"max": MAX_ROWS})
            grids.append(grid)
            formulas[id(grid)] = found
    except ImportFileError:
        raise
    except Exception:
        raise bad from None
    finally:
        workbook.close()
        typed.close()
    return grids


# Finding the header -------------------------------------------------------


@dataclass
class _Header:
    kind: str
    index: int  # position of the header row in the grid
    labels: list[str]
    mapping: dict[int, str]  # column position → field
    data_start: int
    score: int


def _match(labels: list[str], kind: str) -> dict[int, str]:
    aliases, mapping = ALIASES[kind], {}
    for position, label in enumerate(labels):
        field_name = aliases.get(header_key(label))
        if field_name and field_name not in mapping.values():
            mapping[position] = field_name
    return mapping


def compose_header(header: list[str], below: list[str]) -> list[str] | None:
    """Labels for a two-row header ("Data Ayah" over "Nama", "Tahun Lahir"…),
    or None when the row below the header is data."""
    width = max(len(header), len(below))
    top = header + [""] * (width - len(header))
    sub = below + [""] * (width - len(below))
    if not any(sub[i] and not top[i] for i in range(width)):
        return None
    for i in range(width):
        starts_group = i + 1 < width and not top[i + 1] and sub[i + 1]
        if sub[i] and top[i] and not starts_group:
            return None  # a value under a plain column: this is a data row
    labels, group = [], ""
    for i in range(width):
        if top[i]:
            group = top[i] if sub[i] else ""
            labels.append(f"{top[i]} / {sub[i]}" if sub[i] else top[i])
        elif sub[i]:
            labels.append(f"{group} / {sub[i]}" if group else sub[i])
        else:
            group = ""
            labels.append("")
    return labels


def _ambiguous():
    return _("Sinergi cannot tell what this file holds from its columns. Choose the kind of data and upload again.")


def _locate(grid: Grid, kind: str | None) -> _Header | None:
    kinds = [kind] if kind else list(ColumnKind.values)
    for index, (_number, cells) in enumerate(grid[:HEADER_SCAN]):
        if not any(cells):
            continue
        found = []
        for candidate in kinds:
            mapping = _match(cells, candidate)
            # Guessing the kind takes two known columns: a lone "nama" is no class list.
            if required_fields(candidate) <= set(mapping.values()) and (kind or len(mapping) >= 2):
                found.append((len(mapping), candidate))
        if not found:
            continue
        found.sort(key=lambda pair: pair[0], reverse=True)
        if len(found) > 1 and found[0][0] == found[1][0]:
            raise ImportFileError(_ambiguous())
        score, chosen = found[0]
        labels, data_start = cells, index + 1
        if data_start < len(grid):
            composed = compose_header(cells, grid[data_start][1])
            if composed is not None:
                labels, data_start = composed, data_start + 1
        return _Header(chosen, index, labels, _match(labels, chosen), data_start, score)
    return None


def _guess(grids: list[Grid]) -> _Header | None:
    """The header found without being told the kind, if any."""
    try:
        found = [header for grid in grids if (header := _locate(grid, None))]
    except ImportFileError:
        return None
    return max(found, key=lambda header: header.score, default=None)


def _looks_like(found, chosen):
    return _("This looks like a file of %(found)s, not of %(chosen)s. Choose “%(found)s” or detect automatically.") % {
        "found": ColumnKind(found).label,
        "chosen": ColumnKind(chosen).label,
    }


def _why_no_header(grids: list[Grid], kind: str | None) -> str:
    if kind:
        guessed = _guess(grids)
        if guessed and guessed.kind != kind:
            return _looks_like(guessed.kind, kind)
    # The row that comes closest: report which required columns it lacks.
    best = None
    for grid in grids:
        for _number, cells in grid[:HEADER_SCAN]:
            for candidate in [kind] if kind else ColumnKind.values:
                fields_found = set(_match(cells, candidate).values())
                score = len(fields_found & required_fields(candidate))
                if score and (best is None or score > best[0]):
                    best = (score, candidate, fields_found)
    if best:
        _score, candidate, fields_found = best
        missing = [
            f"{c.label} ({c.aliases[0]})" for c in COLUMNS[candidate] if c.required and c.field not in fields_found
        ]
        if not missing:
            return _ambiguous()
        return _("The file has no column for: %(columns)s. Name the columns in the header row as in the guide.") % {
            "columns": ", ".join(missing)
        }
    return _(
        "No header row was found. The first rows of the file must name the columns, for example "
        "nisn, nama, jk, kelas for students."
    )


def _table(header: _Header, grid: Grid, source: str, formulas: set[tuple[int, int]]) -> Table:
    if header.kind == ColumnKind.TIMETABLE_GRID:
        # Every other named column of a timetable grid is a class.
        for position, label in enumerate(header.labels):
            if label and position not in header.mapping:
                header.mapping[position] = GRID_CLASS_PREFIX + label
    positions = sorted(header.mapping)
    fields = [header.mapping[p] for p in positions]
    labels = [header.labels[p] for p in positions]
    ignored = [label for p, label in enumerate(header.labels) if label and p not in header.mapping]
    rows, formula_cells = [], []
    for number, cells in itertools.islice(grid, header.data_start, None):
        values = [cells[p] if p < len(cells) else "" for p in positions]
        unread = [(number, header.mapping[p]) for p in positions if (number, p) in formulas]
        if any(values) or unread:
            rows.append((number, values))
            formula_cells.extend(unread)
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows below it."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has too many rows (at most %(max)d).") % {"max": MAX_ROWS})
    return Table(
        kind=header.kind,
        header_row=grid[header.index][0],
        fields=fields,
        labels=labels,
        rows=rows,
        ignored=ignored,
        source=source,
        formulas=formula_cells,
    )
