"""What an import found: one RowResult per data row, the errors, the counts."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportAction(models.TextChoices):
    CREATED = "created", _("New")
    UPDATED = "updated", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


@dataclass
class RowError:
    row: int | None  # the row number in the file; None for the whole file
    column: str  # the column's header as written in the file; "" for the whole row
    message: str
    formula: bool = False  # a formula with no saved value: only its row is left out


@dataclass
class RowResult:
    number: int
    key: str = ""  # what the row is matched by: NISN, username, class name…
    name: str = ""  # who or what the row is, for people reading the preview
    action: str = ""
    details: list[str] = field(default_factory=list)  # changed fields, "will be created" notes
    errors: list[RowError] = field(default_factory=list)

    def error(self, column, message, *, formula=False):
        self.errors.append(RowError(self.number, str(column), str(message), formula))
        self.action = ImportAction.ERROR

    @property
    def action_label(self):
        return ImportAction(self.action).label if self.action else ""


@dataclass
class ImportResult:
    kind: str = ""
    header_row: int | None = None
    columns: list[str] = field(default_factory=list)  # headers used, as written in the file
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = False
    # Set by the validator of each kind: writes what the rows say (bulk).
    apply: object = field(default=None, repr=False, compare=False)

    def file_error(self, message):
        self.file_errors.append(RowError(None, "", str(message)))

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [e for row in self.rows for e in row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def good_rows_only(self) -> bool:
        """Some rows are good and the others only hold formulas to retype:
        the good rows may be imported on their own."""
        errors = self.errors
        return bool(errors) and all(e.formula for e in errors) and any(not row.errors for row in self.rows)

    @property
    def importable(self) -> bool:
        return self.ok or self.good_rows_only

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action.value: counted.get(action.value, 0) for action in ImportAction}

    @property
    def kind_label(self):
        from roster.importing.columns import ColumnKind

        return ColumnKind(self.kind).label if self.kind else ""
