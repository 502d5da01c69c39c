"""What each kind of roster file looks like: its columns and the header names
we accept for them (Sinergi's template in English or Indonesian, and Dapodik's
export). Header cells are compared after ``header_key()``: lower case, with
punctuation turned into spaces, so "Tanggal_Lahir", "tanggal lahir" and
"Tanggal Lahir" are the same column."""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ColumnKind(models.TextChoices):
    STUDENTS = "students", _("Students")
    STAFF = "staff", _("Staff accounts")
    CLASSROOMS = "classrooms", _("Classes")
    ASSIGNMENTS = "assignments", _("Teaching assignments")
    BELL_SCHEDULE = "bell_schedule", _("Bell schedule")
    TIMETABLE = "timetable", _("Timetable (one row per lesson)")
    TIMETABLE_GRID = "timetable_grid", _("Timetable (grid: days down, classes across)")


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # a lazy translation: the column's name in messages
    aliases: tuple[str, ...]
    required: bool = False


_PUNCTUATION = re.compile(r"[\s_\-./:*()\[\]#'\"]+")


def header_key(text: str) -> str:
    return _PUNCTUATION.sub(" ", str(text).casefold()).strip()


DAY_ALIASES = ("day", "hari")
PERIOD_ALIASES = ("period", "jam ke", "jam pelajaran ke", "jam pelajaran", "jp", "ke", "period number")

COLUMNS: dict[str, tuple[Column, ...]] = {
    ColumnKind.STUDENTS: (
        Column("nisn", _("NISN"), ("nisn",), required=True),
        Column("nis", _("NIS"), ("nis", "nipd", "nomor induk", "no induk", "nomor induk siswa")),
        Column(
            "full_name",
            _("Full name"),
            ("full name", "name", "nama", "nama lengkap", "nama siswa", "nama peserta didik"),
            required=True,
        ),
        Column("gender", _("Gender"), ("gender", "sex", "jk", "l p", "jenis kelamin"), required=True),
        Column(
            "birth_date",
            _("Birth date"),
            ("birth date", "date of birth", "dob", "tanggal lahir", "tgl lahir", "tanggal lahir siswa"),
        ),
        Column(
            "classroom",
            _("Class"),
            ("classroom", "class", "kelas", "rombel", "rombel saat ini", "rombongan belajar", "nama rombel"),
            required=True,
        ),
        Column(
            "guardian_name",
            _("Guardian name"),
            (
                "guardian name",
                "guardian",
                "nama wali",
                "wali",
                "data wali nama",
                "nama orang tua wali",
                "nama orang tua",
            ),
        ),
        # Dapodik lists father and mother under "Data Ayah" / "Data Ibu"; they
        # stand in for the guardian when no guardian is named.
        Column("father_name", _("Father's name"), ("data ayah nama", "nama ayah", "nama ayah kandung")),
        Column("mother_name", _("Mother's name"), ("data ibu nama", "nama ibu", "nama ibu kandung")),
        Column(
            "guardian_phone",
            _("Guardian phone"),
            (
                "guardian phone",
                "hp",
                "no hp",
                "nomor hp",
                "hp wali",
                "no hp wali",
                "hp orang tua",
                "no hp orang tua",
                "telepon wali",
                "whatsapp",
                "wa",
                "no wa",
            ),
        ),
    ),
    ColumnKind.STAFF: (
        Column("username", _("Username"), ("username", "user name", "nama pengguna", "akun"), required=True),
        Column("full_name", _("Full name"), ("full name", "name", "nama", "nama lengkap"), required=True),
        Column("email", _("Email"), ("email", "e mail", "surel", "alamat email")),
        Column("whatsapp", _("WhatsApp"), ("whatsapp", "wa", "no wa", "nomor wa", "hp", "no hp", "nomor hp", "phone")),
        Column("roles", _("Roles"), ("roles", "role", "peran", "jabatan", "tugas"), required=True),
    ),
    ColumnKind.CLASSROOMS: (
        Column(
            "name",
            _("Class name"),
            ("name", "nama", "class", "class name", "kelas", "nama kelas", "rombel", "nama rombel"),
            required=True,
        ),
        Column("grade", _("Grade"), ("grade", "tingkat", "tingkat kelas")),
        Column(
            "homeroom_teacher",
            _("Homeroom teacher"),
            ("homeroom teacher", "homeroom", "wali kelas", "username wali kelas"),
        ),
        Column("counselor", _("Counselor"), ("counselor", "konselor", "guru bk", "bk", "username guru bk")),
    ),
    ColumnKind.ASSIGNMENTS: (
        Column("teacher", _("Teacher"), ("teacher", "guru", "username guru", "pengajar", "username"), required=True),
        Column("classroom", _("Class"), ("classroom", "class", "kelas", "rombel", "nama kelas"), required=True),
        Column("subject", _("Subject"), ("subject", "mata pelajaran", "mapel", "pelajaran"), required=True),
    ),
    ColumnKind.BELL_SCHEDULE: (
        Column("day", _("Day"), DAY_ALIASES, required=True),
        Column("period", _("Period"), PERIOD_ALIASES, required=True),
        Column(
            "starts_at", _("Starts at"), ("starts at", "start", "from", "mulai", "jam mulai", "dari"), required=True
        ),
        Column(
            "ends_at",
            _("Ends at"),
            ("ends at", "end", "until", "to", "selesai", "jam selesai", "sampai"),
            required=True,
        ),
    ),
    ColumnKind.TIMETABLE: (
        Column("day", _("Day"), DAY_ALIASES, required=True),
        Column("period", _("Period"), PERIOD_ALIASES, required=True),
        Column("classroom", _("Class"), ("classroom", "class", "kelas", "rombel", "nama kelas"), required=True),
        Column("subject", _("Subject"), ("subject", "mata pelajaran", "mapel", "pelajaran"), required=True),
        Column("teacher", _("Teacher"), ("teacher", "guru", "username guru", "pengajar", "username"), required=True),
    ),
    # The grid: one row per day and period, one column per class (any header
    # that is not one of these names a class); each cell "subject / teacher".
    ColumnKind.TIMETABLE_GRID: (
        Column("day", _("Day"), DAY_ALIASES, required=True),
        Column("period", _("Period"), PERIOD_ALIASES, required=True),
        Column("time", _("Time"), ("time", "waktu", "pukul", "jam")),
        Column("row_number", _("No."), ("no", "nomor", "no urut")),
    ),
}

ALIASES: dict[str, dict[str, str]] = {
    kind: {alias: column.field for column in columns for alias in column.aliases} for kind, columns in COLUMNS.items()
}


def column(kind: str, field: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.field == field)


def required_fields(kind: str) -> set[str]:
    return {c.field for c in COLUMNS[kind] if c.required}


# A grid's class columns are kept as fields named "class:<header>".
GRID_CLASS_PREFIX = "class:"
