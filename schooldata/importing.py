"""Grade ledgers and attendance recaps, imported through the roster import's
machinery (roster.importing: reading CSV/XLSX, the result of each row, the
upload kept between preview and import). See docs/school-data-import.md.

    result, table = schooldata_preview(school=school, data=data, options=options)
    result = schooldata_commit(school=school, table=table)

A ledger has one row per student and one column per subject; a two-row header
(the subject over "UH 1", "PTS", "PAS"…, merged cells as Excel saves them)
gives one assessment per column. An attendance file is a monthly recap (sakit,
izin, alpa, hadir per student) or one row per student-day (tanggal, status).
Students are matched by NISN, or by name within the class. All or nothing, in
one transaction; importing the same file again changes nothing.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from roster.importing.cleaning import CellError, clean_date, clean_nisn, loose_key, name_key
from roster.importing.columns import header_key
from roster.importing.reading import HEADER_SCAN, MAX_ROWS, ImportFileError, read_grids
from roster.importing.result import ImportAction, ImportResult, RowResult
from roster.models import Classroom, Student, Subject, Term
from roster.schooldays import SchoolCalendar
from schooldata.hooks import after_import
from schooldata.models import Assessment, AttendanceMonth, Score, first_of_month


class DataKind(models.TextChoices):
    LEDGER = "ledger", gettext_lazy("Grade ledger")
    ATTENDANCE = "attendance", gettext_lazy("Attendance")


DEFAULT_ASSESSMENT = "Nilai Rapor"

IDENTITY = {
    "nisn": ("nisn",),
    "name": ("nama", "nama siswa", "nama peserta didik", "nama lengkap", "name", "full name", "student"),
    "classroom": ("kelas", "rombel", "class", "classroom", "nama rombel", "rombel saat ini", "rombongan belajar"),
}
# Columns of a ledger that are neither a student nor a subject.
NOT_SUBJECTS = {
    "no",
    "no urut",
    "nomor",
    "nomor urut",
    "nis",
    "nipd",
    "nomor induk",
    "no induk",
    "jk",
    "l p",
    "jenis kelamin",
    "gender",
    "jumlah",
    "total",
    "rata rata",
    "rata2",
    "rerata",
    "average",
    "peringkat",
    "ranking",
    "rank",
    "keterangan",
    "ket",
    "sikap",
    "catatan",
    "predikat",
}
ATTENDANCE_COLUMNS = {
    "present": ("hadir", "h", "present", "jumlah hadir"),
    "sick": ("sakit", "s", "sick"),
    "permitted": ("izin", "ijin", "i", "permitted", "excused"),
    "absent": ("alpa", "alpha", "alfa", "a", "tanpa keterangan", "tk", "absent", "unexcused", "bolos"),
    "date": ("tanggal", "tgl", "date", "hari tanggal"),
    "status": ("status", "kehadiran", "presensi", "absensi", "attendance"),
}
STATUSES = {
    "h": "present",
    "hadir": "present",
    "present": "present",
    "t": "present",  # terlambat: late, but there
    "terlambat": "present",
    "s": "sick",
    "sakit": "sick",
    "sick": "sick",
    "i": "permitted",
    "izin": "permitted",
    "ijin": "permitted",
    "permitted": "permitted",
    "excused": "permitted",
    "a": "absent",
    "alpa": "absent",
    "alpha": "absent",
    "alfa": "absent",
    "tanpa keterangan": "absent",
    "absent": "absent",
    "bolos": "absent",
}
# Short names schools give subjects in their ledgers, and the subjects they mean.
SUBJECT_ALIASES = {
    "mtk": "matematika",
    "mat": "matematika",
    "math": "matematika",
    "mathematics": "matematika",
    "bind": "bahasaindonesia",
    "bindo": "bahasaindonesia",
    "bindonesia": "bahasaindonesia",
    "binggris": "bahasainggris",
    "bhsindonesia": "bahasaindonesia",
    "bing": "bahasainggris",
    "bhsinggris": "bahasainggris",
    "english": "bahasainggris",
    "ilmupengetahuanalam": "ipa",
    "ilmupengetahuansosial": "ips",
    "pkn": "ppkn",
    "pendidikanpancasila": "ppkn",
    "pendidikanpancasiladankewarganegaraan": "ppkn",
    "penjas": "pjok",
    "penjaskes": "pjok",
    "pendidikanjasmaniolahragadankesehatan": "pjok",
    "senbud": "senibudaya",
    "sbk": "senibudaya",
    "tik": "informatika",
    "pai": "pendidikanagama",
    "agama": "pendidikanagama",
    "pendidikanagamaislam": "pendidikanagama",
    "pendidikanagamadanbudipekerti": "pendidikanagama",
}
_SUMMARY_ROW = re.compile(r"^(rata|jumlah|nilai (tertinggi|terendah)|tertinggi|terendah|mengetahui|kkm)", re.I)
_TITLE_CLASS = re.compile(r"^(kelas|rombel|class)\s*[:：]\s*(.+)$", re.I)


@dataclass
class DataTable:
    """What the import keeps of a file between preview and import: the
    identity columns and the columns of scores or attendance, nothing else."""

    kind: str
    header_row: int
    fields: list[str]  # "nisn", "name", "classroom", "score", "present"…
    labels: list[str]
    rows: list[tuple[int, list[str]]]
    ignored: list[str] = field(default_factory=list)
    title_class: str = ""  # "Kelas : VII-A" above the header
    options: dict = field(default_factory=dict)  # term, classroom, assessment, date, month (ids and ISO dates)
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, position in fields)

    def to_dict(self):
        return {
            "kind": self.kind,
            "header_row": self.header_row,
            "fields": self.fields,
            "labels": self.labels,
            "rows": self.rows,
            "ignored": self.ignored,
            "title_class": self.title_class,
            "options": self.options,
            "formulas": [list(pair) for pair in self.formulas],
        }

    @classmethod
    def from_dict(cls, data):
        if data.get("kind") not in DataKind.values or len(data["fields"]) != len(data["labels"]):
            raise ValueError("not a school data table")
        return cls(
            kind=data["kind"],
            header_row=int(data["header_row"]),
            fields=list(data["fields"]),
            labels=list(data["labels"]),
            rows=[(int(number), list(values)) for number, values in data["rows"]],
            ignored=list(data.get("ignored", [])),
            title_class=str(data.get("title_class", "")),
            options=dict(data.get("options", {})),
            formulas=[(int(a), int(b)) for a, b in data.get("formulas", [])],
        )

    def has(self, name):
        return name in self.fields

    def label(self, name):
        return self.labels[self.fields.index(name)] if name in self.fields else name


class DataImportResult(ImportResult):
    student_ids: set = None  # the students whose records the import writes (set by apply)

    @property
    def kind_label(self):
        return DataKind(self.kind).label if self.kind else ""


# Reading -------------------------------------------------------------------


def _alias_map(groups):
    return {alias: name for name, aliases in groups.items() for alias in aliases}


_IDENTITY = _alias_map(IDENTITY)
_ATTENDANCE = _alias_map(ATTENDANCE_COLUMNS)


def _is_number(text):
    return bool(re.fullmatch(r"-?\d+([.,]\d+)?", text.strip()))


def _compose(top, below, identity_positions):
    """Labels of a two-row header ("Matematika" over "UH 1", "PTS"; merged cells
    leave the cells right of the subject empty), or None when the row below is data."""
    width = max(len(top), len(below))
    top = top + [""] * (width - len(top))
    below = below + [""] * (width - len(below))
    if any(below[p] for p in identity_positions):
        return None  # a NISN or a name below the header: a data row
    if not any(below) or any(_is_number(cell) for cell in below if cell):
        return None
    labels, group = [], ""
    for i in range(width):
        if top[i]:
            group = top[i]
            labels.append(f"{top[i]} / {below[i]}" if below[i] else top[i])
        elif below[i] and group:
            labels.append(f"{group} / {below[i]}")
        else:
            labels.append(below[i])
    return labels


def _header_of(cells):
    """{position: identity field} when the row names a NISN or a name column."""
    found = {}
    for position, cell in enumerate(cells):
        name = _IDENTITY.get(header_key(cell))
        if name and name not in found.values():
            found[position] = name
    return found if ({"nisn", "name"} & set(found.values())) else None


def read_data_table(data: bytes, *, kind: str | None = None, options: dict | None = None) -> DataTable:
    """Find the header and the rows of a ledger or attendance file, or raise ImportFileError."""
    _source, grids, formulas = read_grids(data)
    for grid in grids:
        for index, (number, cells) in enumerate(grid[:HEADER_SCAN]):
            identity = _header_of(cells)
            if identity is None:
                continue
            title_class = ""
            for _n, above in grid[:index]:
                for position, cell in enumerate(above):
                    if match := _TITLE_CLASS.match(cell):
                        title_class = match.group(2).strip()
                    elif header_key(cell) in ("kelas", "rombel") and position + 1 < len(above):
                        rest = [c for c in above[position + 1 :] if c and c not in (":", "：")]
                        if rest:
                            title_class = rest[0].lstrip(":： ").strip()
            labels, data_start = cells, index + 1
            if data_start < len(grid):
                composed = _compose(cells, grid[data_start][1], list(identity))
                if composed is not None:
                    labels, data_start = composed, data_start + 1
            return _table(
                grid,
                number,
                labels,
                data_start,
                identity,
                kind,
                title_class,
                options or {},
                formulas.get(id(grid), set()),
            )
    raise ImportFileError(
        _(
            "No header row was found. The first rows of the file must name the columns, "
            "with a NISN or a name column (nisn, nama)."
        )
    )


def _table(grid, header_row, labels, data_start, identity, kind, title_class, options, formula_cells):
    attendance = {}
    for position, label in enumerate(labels):
        name = _ATTENDANCE.get(header_key(label))
        if name and position not in identity and name not in attendance.values():
            attendance[position] = name
    found = set(attendance.values())
    looks_like_attendance = {"sick", "permitted", "absent"} <= found or {"date", "status"} <= found
    if kind is None:
        kind = DataKind.ATTENDANCE if looks_like_attendance else DataKind.LEDGER
    mapping = dict(identity)
    ignored = []
    if kind == DataKind.ATTENDANCE:
        if not looks_like_attendance:
            raise ImportFileError(
                _(
                    "This file has no attendance columns. A monthly recap needs sakit, izin and alpa "
                    "(S, I, A); a daily list needs tanggal and status."
                )
            )
        daily = {"date", "status"} <= found
        for position, name in attendance.items():
            if daily and name in ("date", "status") or not daily and name in ("present", "sick", "permitted", "absent"):
                mapping[position] = name
    else:
        for position, label in enumerate(labels):
            if position in mapping or not label:
                continue
            key = header_key(label.split(" / ")[-1] if " / " not in label else label.split(" / ")[0])
            if header_key(label) in NOT_SUBJECTS or key in NOT_SUBJECTS:
                ignored.append(label)
                continue
            mapping[position] = "score"
        if not any(name == "score" for name in mapping.values()):
            raise ImportFileError(_("The file has no subject columns next to the students."))
    for position, label in enumerate(labels):
        if label and position not in mapping and label not in ignored:
            ignored.append(label)
    positions = sorted(mapping)
    fields = [mapping[p] for p in positions]
    kept_labels = [labels[p] for p in positions]
    rows, formulas = [], []
    name_position = next((p for p, n in identity.items() if n == "name"), None)
    nisn_position = next((p for p, n in identity.items() if n == "nisn"), None)
    for number, cells in grid[data_start:]:
        values = [cells[p] if p < len(cells) else "" for p in positions]
        unread = [(number, i) for i, p in enumerate(positions) if (number, p) in formula_cells]
        nisn = cells[nisn_position] if nisn_position is not None and nisn_position < len(cells) else ""
        name = cells[name_position] if name_position is not None and name_position < len(cells) else ""
        if not nisn and (not name or _SUMMARY_ROW.match(name)):
            continue  # empty, or the class average and signatures below the table
        if any(values) or unread:
            rows.append((number, values))
            formulas.extend(unread)
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows below it."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has too many rows (at most %(max)d).") % {"max": MAX_ROWS})
    return DataTable(
        kind=kind,
        header_row=header_row,
        fields=fields,
        labels=kept_labels,
        rows=rows,
        ignored=ignored,
        title_class=title_class,
        options=options,
        formulas=formulas,
    )


# Cleaning --------------------------------------------------------------------


def clean_score(value: str) -> Decimal | None:
    """'78,5' (Indonesian Excel), '78.5', '78' → a score from 0 to 100; '' → None."""
    text = value.strip().lstrip("'").replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a score: write a number from 0 to 100.") % {"value": value}) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise CellError(_("“%(value)s” is not a score: write a number from 0 to 100.") % {"value": value})
    return number.quantize(Decimal("0.1"))


def clean_count(value: str) -> int:
    text = value.strip().replace(" ", "")
    if not text:
        return 0
    if re.fullmatch(r"\d+([.,]0+)?", text):
        number = int(re.split(r"[.,]", text)[0])
        if number <= 31:
            return number
    raise CellError(_("“%(value)s” is not a number of days (0 to 31).") % {"value": value})


def clean_status(value: str) -> str:
    key = " ".join(value.casefold().split())
    if key not in STATUSES:
        raise CellError(
            _("Unknown attendance “%(value)s”: use H (hadir), S (sakit), I (izin) or A (alpa).") % {"value": value}
        )
    return STATUSES[key]


def clean_day(value: str) -> datetime.date:
    if not value:
        raise CellError(_("The date is missing."))
    far = datetime.date(9999, 12, 31)
    day = clean_date(value, today=far)
    if day > datetime.date.today():
        raise CellError(_("The date %(value)s is in the future.") % {"value": value})
    return day


# Matching students ---------------------------------------------------------


class _School:
    """The school's students, classes and subjects, loaded once per check."""

    def __init__(self, school):
        self.school = school
        self.classrooms = list(Classroom.objects.for_school(school).only("id", "name"))
        self.classroom_by_id = {c.pk: c for c in self.classrooms}
        self.students = list(
            Student.objects.for_school(school).only("id", "nisn", "full_name", "classroom_id", "is_active")
        )
        self.by_nisn = {s.nisn: s for s in self.students}
        self.by_class_name = defaultdict(list)
        for student in self.students:
            self.by_class_name[(student.classroom_id, name_key(student.full_name))].append(student)
        self.subjects = list(Subject.objects.for_school(school).only("id", "name"))

    def classroom(self, text):
        if not text:
            return None
        for key in (name_key, loose_key):
            found = [c for c in self.classrooms if key(c.name) == key(text)]
            if len(found) == 1:
                return found[0]
        return None

    def subject(self, text):
        key = loose_key(text)
        key = SUBJECT_ALIASES.get(key, key)
        for subject in self.subjects:
            own = loose_key(subject.name)
            if own == key or SUBJECT_ALIASES.get(own) == key:
                return subject
        return None


def _match_student(row, record, known, classroom, column_labels):
    """The student a row means, or None after an error on the row."""
    nisn_text, name = record.get("nisn", ""), record.get("name", "")
    if nisn_text:
        try:
            nisn = clean_nisn(nisn_text)
        except CellError as error:
            row.error(column_labels.get("nisn", "NISN"), error.message)
            return None
        student = known.by_nisn.get(nisn)
        if student is None:
            row.error(
                column_labels.get("nisn", "NISN"),
                _("No student of your school has the NISN %(nisn)s.") % {"nisn": nisn},
            )
        row.key = nisn
        return student
    if classroom is None:
        row.error(
            column_labels.get("name", _("Name")),
            _("Without a NISN the student is found by name within the class: give the class."),
        )
        return None
    found = known.by_class_name.get((classroom.pk, name_key(name)), [])
    row.key = f"{name} · {classroom.name}"
    if len(found) == 1:
        return found[0]
    if not found:
        row.error(
            column_labels.get("name", _("Name")),
            _("No student named “%(name)s” in %(class)s. Check the name or add the NISN.")
            % {"name": name, "class": classroom.name},
        )
    else:
        row.error(
            column_labels.get("name", _("Name")),
            _("Two students named “%(name)s” in %(class)s: add the NISN.") % {"name": name, "class": classroom.name},
        )
    return None


def _row_classroom(row, record, known, default, column_labels):
    text = record.get("classroom", "")
    if not text:
        return default
    classroom = known.classroom(text)
    if classroom is None:
        row.error(column_labels.get("classroom", _("Class")), _("Unknown class “%(name)s”.") % {"name": text})
    return classroom


def _options_term(known, options):
    term = None
    if options.get("term"):
        term = Term.objects.for_school(known.school).filter(pk=options["term"]).first()
    return term or Term.objects.current(known.school)


# Checking --------------------------------------------------------------------


def schooldata_check(*, school, table: DataTable) -> DataImportResult:
    """What importing the table would do; writes nothing."""
    result = DataImportResult(
        kind=table.kind,
        header_row=table.header_row,
        columns=list(table.labels),
        ignored_columns=list(table.ignored),
    )
    known = _School(school)
    default_class = None
    chosen = table.options.get("classroom")
    if chosen:
        default_class = known.classroom_by_id.get(int(chosen))
    if default_class is None and table.title_class:
        default_class = known.classroom(table.title_class)
        if default_class is None:
            result.file_error(
                _("The class “%(name)s” named above the table is not a class of your school.")
                % {"name": table.title_class}
            )
    if table.kind == DataKind.LEDGER:
        _check_ledger(result, table, known, default_class)
    else:
        _check_attendance(result, table, known, default_class)
    return result


def _records(table):
    """(row number, values, positions of formula cells with no saved value) for each row."""
    unread = defaultdict(set)
    for number, position in table.formulas:
        unread[number].add(position)
    for number, values in table.rows:
        yield number, values, unread.get(number, set())


def _identity(table, values):
    return {name: values[i] for i, name in enumerate(table.fields) if name in ("nisn", "name", "classroom")}


def _check_ledger(result, table, known, default_class):
    term = _options_term(known, table.options)
    if term is None:
        result.file_error(_("Your school has no current term: an administrator must set one first."))
        return
    assessment_name = (table.options.get("assessment") or DEFAULT_ASSESSMENT).strip()[:60]
    date = datetime.date.fromisoformat(table.options["date"]) if table.options.get("date") else None
    labels = {name: table.labels[i] for i, name in enumerate(table.fields)}
    # Each score column: its subject and assessment name.
    columns = {}
    unknown = []
    for i, name in enumerate(table.fields):
        if name != "score":
            continue
        label = table.labels[i]
        subject_text, _sep, part = label.partition(" / ")
        subject = known.subject(subject_text)
        if subject is None:
            unknown.append(label)
            continue
        columns[i] = (subject, part.strip()[:60] or assessment_name)
    if unknown:
        result.file_error(
            _(
                "These columns are not subjects of your school: %(columns)s. Name them as the subjects are "
                "named in Sinergi (or add the subjects first)."
            )
            % {"columns": ", ".join(unknown)}
        )
    if not columns:
        return
    existing = {
        (a.classroom_id, a.subject_id, a.name): a
        for a in Assessment.objects.filter(term=term, subject__in={s for s, _n in columns.values()})
    }
    scores = {
        (s["assessment_id"], s["student_id"]): s["value"]
        for s in Score.objects.filter(assessment__in=[a.pk for a in existing.values()]).values(
            "assessment_id", "student_id", "value"
        )
    }
    seen = Counter()
    plan = []  # (row, student, classroom, {(subject, name): value})
    for number, values, unread in _records(table):
        row = RowResult(number)
        result.rows.append(row)
        record = _identity(table, values)
        row.name = record.get("name", "")
        classroom = _row_classroom(row, record, known, default_class, labels)
        student = _match_student(row, record, known, classroom, labels)
        if student is None:
            continue
        row.name = student.full_name
        row.key = student.nisn
        seen[student.pk] += 1
        if classroom is None:
            classroom = known.classroom_by_id.get(student.classroom_id)
            if classroom is None:
                row.error(labels.get("name", ""), _("The student has no class in Sinergi: give the class."))
                continue
        elif student.classroom_id != classroom.pk:
            current = known.classroom_by_id.get(student.classroom_id)
            row.details.append(
                _("In %(now)s in Sinergi, not %(file)s: the scores are kept for %(file)s.")
                % {"now": current.name if current else "—", "file": classroom.name}
            )
        wanted = {}
        for i, (subject, name) in columns.items():
            if i in unread:
                row.error(
                    table.labels[i], _("This cell holds a formula with no saved value: type the score."), formula=True
                )
                continue
            try:
                value = clean_score(values[i])
            except CellError as error:
                row.error(table.labels[i], error.message)
                continue
            if value is not None:
                wanted[(subject.pk, name)] = (subject, value)
        if row.errors:
            continue
        new = changed = kept = 0
        for (subject_id, name), (subject, value) in wanted.items():
            assessment = existing.get((classroom.pk, subject_id, name))
            old = scores.get((assessment.pk, student.pk)) if assessment else None
            if old is None:
                new += 1
            elif old != value:
                changed += 1
                row.details.append(f"{subject.name} · {name}: {_number(old)} → {_number(value)}")
            else:
                kept += 1
        if new:
            row.details.insert(0, ngettext("%(count)d new score", "%(count)d new scores", new) % {"count": new})
        if not new and not changed:
            row.action = ImportAction.UNCHANGED
        else:
            row.action = ImportAction.CREATED if not changed and not kept else ImportAction.UPDATED
        if not wanted:
            row.details.append(_("No scores in this row."))
        plan.append((row, student, classroom, wanted))
    duplicates = {pk for pk, count in seen.items() if count > 1}
    if duplicates:
        for row, student, _c, _w in plan:
            if student.pk in duplicates:
                row.error(labels.get("nisn", labels.get("name", "")), _("This student is in the file twice."))

    def apply():
        _apply_ledger(term=term, date=date, school=known.school, plan=plan, existing=existing)
        result.student_ids = {student.pk for row, student, _c, _w in plan if not row.errors}

    result.apply = apply


def _number(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _apply_ledger(*, term, date, school, plan, existing):
    needed = {}
    for row, _student, classroom, wanted in plan:
        if row.errors:
            continue
        for subject_id, name in wanted:
            key = (classroom.pk, subject_id, name)
            if key not in existing and key not in needed:
                needed[key] = Assessment(
                    school=school, term=term, classroom_id=classroom.pk, subject_id=subject_id, name=name, date=date
                )
    Assessment.objects.bulk_create(needed.values(), batch_size=500)
    assessments = {**existing, **needed}
    if any(a.pk is None for a in needed.values()):  # databases that return no ids
        assessments.update({(a.classroom_id, a.subject_id, a.name): a for a in Assessment.objects.filter(term=term)})
    keys = [
        (assessments[(classroom.pk, subject_id, name)].pk, student.pk, value)
        for row, student, classroom, wanted in plan
        if not row.errors
        for (subject_id, name), (_s, value) in wanted.items()
    ]
    current = {
        (s.assessment_id, s.student_id): s
        for s in Score.objects.filter(assessment__in={a for a, _s, _v in keys}).only(
            "id", "assessment_id", "student_id", "value", "updated_at"
        )
    }
    create, update, now = [], [], timezone.now()
    for assessment_id, student_id, value in keys:
        score = current.get((assessment_id, student_id))
        if score is None:
            create.append(Score(assessment_id=assessment_id, student_id=student_id, value=value))
        elif score.value != value:
            score.value, score.updated_at = value, now
            update.append(score)
    # Corrected scores are replaced: SQLite's bulk UPDATE … CASE WHEN grows with
    # the square of the batch (a whole ledger corrected took 20 s), while a
    # DELETE and an INSERT stay linear. Nothing refers to a score's id.
    for start in range(0, len(update), 5000):
        Score.objects.filter(pk__in=[score.pk for score in update[start : start + 5000]]).delete()
    for score in update:
        score.pk = None
    Score.objects.bulk_create(create + update, batch_size=1000)


def _check_attendance(result, table, known, default_class):
    labels = {name: table.labels[i] for i, name in enumerate(table.fields)}
    daily = table.has("date")
    month = None
    if not daily:
        if not table.options.get("month"):
            result.file_error(_("Choose the month this recap is for."))
            return
        month = first_of_month(datetime.date.fromisoformat(table.options["month"]))
    counts = {}  # student id → {month: {present, sick, permitted, absent}}
    rows_of = defaultdict(list)
    days_seen = {}
    plan_rows = []
    for number, values, unread in _records(table):
        row = RowResult(number)
        result.rows.append(row)
        record = _identity(table, values)
        row.name = record.get("name", "")
        for i in unread:
            row.error(
                table.labels[i], _("This cell holds a formula with no saved value: type the number."), formula=True
            )
        classroom = _row_classroom(row, record, known, default_class, labels)
        student = _match_student(row, record, known, classroom, labels)
        if student is None or row.errors:
            continue
        row.name, row.key = student.full_name, student.nisn
        if classroom is not None and student.classroom_id != classroom.pk:
            current = known.classroom_by_id.get(student.classroom_id)
            row.details.append(
                _("In %(now)s in Sinergi, not %(file)s.")
                % {"now": current.name if current else "—", "file": classroom.name}
            )
        value = dict(zip(table.fields, values, strict=True))
        if daily:
            try:
                day = clean_day(value.get("date", ""))
            except CellError as error:
                row.error(labels["date"], error.message)
                continue
            try:
                status = clean_status(value.get("status", ""))
            except CellError as error:
                row.error(labels["status"], error.message)
                continue
            if (student.pk, day) in days_seen:
                row.error(
                    labels["date"],
                    _("This student's %(date)s is also on row %(row)d.")
                    % {"date": day.strftime("%d/%m/%Y"), "row": days_seen[(student.pk, day)]},
                )
                continue
            days_seen[(student.pk, day)] = number
            entry = counts.setdefault(student.pk, {}).setdefault(
                first_of_month(day), {"present": 0, "sick": 0, "permitted": 0, "absent": 0}
            )
            entry[status] += 1
        else:
            entry = {}
            for name in ("present", "sick", "permitted", "absent"):
                try:
                    entry[name] = clean_count(value.get(name, ""))
                except CellError as error:
                    row.error(labels[name], error.message)
            if row.errors:
                continue
            if not table.has("present"):
                entry["present"] = None  # school days of the month, less the absences
            if student.pk in counts:
                row.error(labels.get("nisn", labels.get("name", "")), _("This student is in the file twice."))
                first = next(r for r, s in plan_rows if s.pk == student.pk)
                if not first.errors:
                    first.error(labels.get("nisn", labels.get("name", "")), _("This student is in the file twice."))
                continue
            counts[student.pk] = {month: entry}
        rows_of[student.pk].append(row)
        plan_rows.append((row, student))
    if not counts:
        return
    if not table.has("present") and not daily:
        calendar = SchoolCalendar(known.school)
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        school_days = calendar.days_between(month - datetime.timedelta(days=1), next_month - datetime.timedelta(days=1))
        result.notes.append(
            _("No “hadir” column: present days are the %(days)d school days of the month less the absences.")
            % {"days": school_days}
        )
        for months in counts.values():
            entry = months[month]
            entry["present"] = max(school_days - entry["sick"] - entry["permitted"] - entry["absent"], 0)
    months = {m for per in counts.values() for m in per}
    stored = {
        (a.student_id, a.month): a
        for a in AttendanceMonth.objects.filter(student_id__in=list(counts), month__in=months)
    }
    for student_id, per in counts.items():
        actions = set()
        for each_month, entry in per.items():
            old = stored.get((student_id, each_month))
            if old is None:
                actions.add(ImportAction.CREATED)
            elif any(getattr(old, k) != v for k, v in entry.items()):
                actions.add(ImportAction.UPDATED)
                for row in rows_of[student_id][:1]:
                    row.details.append(
                        _("%(month)s: was H %(p)d, S %(s)d, I %(i)d, A %(a)d")
                        % {
                            "month": each_month.strftime("%m/%Y"),
                            "p": old.present,
                            "s": old.sick,
                            "i": old.permitted,
                            "a": old.absent,
                        }
                    )
            else:
                actions.add(ImportAction.UNCHANGED)
        action = (
            ImportAction.UPDATED
            if ImportAction.UPDATED in actions
            else ImportAction.CREATED
            if ImportAction.CREATED in actions
            else ImportAction.UNCHANGED
        )
        for row in rows_of[student_id]:
            if not row.errors:
                row.action = action
        if not daily:
            entry = per[month]
            rows_of[student_id][0].details.insert(
                0,
                _("H %(p)d, S %(s)d, I %(i)d, A %(a)d")
                % {"p": entry["present"], "s": entry["sick"], "i": entry["permitted"], "a": entry["absent"]},
            )

    def apply():
        good = {student.pk for row, student in plan_rows if not row.errors}
        if daily:
            bad = {student.pk for row, student in plan_rows if row.errors}
            good -= bad
        create, update = [], []
        for student_id in good:
            for each_month, entry in counts[student_id].items():
                old = stored.get((student_id, each_month))
                if old is None:
                    create.append(
                        AttendanceMonth(school=known.school, student_id=student_id, month=each_month, **entry)
                    )
                elif any(getattr(old, k) != v for k, v in entry.items()):
                    for k, v in entry.items():
                        setattr(old, k, v)
                    old.updated_at = timezone.now()
                    update.append(old)
        AttendanceMonth.objects.bulk_create(create, batch_size=1000)
        AttendanceMonth.objects.bulk_update(
            update, ["present", "sick", "permitted", "absent", "updated_at"], batch_size=200
        )
        result.student_ids = good

    result.apply = apply


# Preview and commit ------------------------------------------------------------


def schooldata_preview(*, school, data: bytes, kind: str | None = None, options: dict | None = None):
    """Read an uploaded file and check it; the table is None when the file cannot be read."""
    try:
        table = read_data_table(data, kind=kind or None, options=options)
    except ImportFileError as error:
        result = DataImportResult(kind=kind or "")
        result.file_error(error.message)
        return result, None
    return schooldata_check(school=school, table=table), table


def schooldata_commit(*, school, table: DataTable, dry_run=False, good_rows_only=False) -> DataImportResult:
    """Check the table again and, when every row is good, write it all in one transaction."""
    with transaction.atomic():
        result = schooldata_check(school=school, table=table)
        if dry_run or not (result.importable if good_rows_only else result.ok):
            return result
        try:
            with transaction.atomic():
                result.apply()
                after_import(student_ids=result.student_ids)
        except IntegrityError:
            result.file_error(_("The records changed while importing, so nothing was saved. Please import again."))
        else:
            result.committed = True
    return result
