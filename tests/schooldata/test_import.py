"""Grade ledgers and attendance recaps in the shapes schools export."""

import datetime
from decimal import Decimal

import pytest

from schooldata.importing import DataKind, clean_score, schooldata_commit, schooldata_preview
from schooldata.models import Assessment, AttendanceMonth, Score
from tests.schooldata.conftest import csv_bytes, xlsx_bytes


def preview(w, data, kind=None, **options):
    return schooldata_preview(school=w.school, data=data, kind=kind, options=options)


def commit(w, data, kind=None, **options):
    result, table = preview(w, data, kind, **options)
    assert table is not None, result.errors
    return schooldata_commit(school=w.school, table=table)


def scores(w, student):
    return {
        (s.assessment.subject.name, s.assessment.name): s.value
        for s in Score.objects.filter(student=student).select_related("assessment__subject")
    }


# Cleaning ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("78,5", Decimal("78.5")),
        ("78.5", Decimal("78.5")),
        ("80", Decimal("80.0")),
        ("100", Decimal("100")),
        ("0", 0),
        ("", None),
    ],
)
def test_scores_are_read_as_schools_type_them(text, value):
    assert clean_score(text) == value


@pytest.mark.parametrize("text", ["101", "-1", "abc", "7O", "1.000,5"])
def test_impossible_scores_are_errors(text):
    from roster.importing.cleaning import CellError

    with pytest.raises(CellError):
        clean_score(text)


# Ledger -----------------------------------------------------------------------


def erapor_ledger(*, class_name="VII-A", rows=None):
    """e-Rapor's "leger nilai": title rows, a merged two-row header, decimal commas."""
    header_top = ["No", "NISN", "Nama Siswa", "MTK", None, None, "B. Indonesia", None, "Rata-rata"]
    header_sub = [None, None, None, "UH 1", "PTS", "PAS", "PTS", "PAS", None]
    body = rows or [
        [1, "0012345601", "ANDI PRATAMA", "65,5", "70", "68", "80", "82,5", 72],
        [2, "0012345602", "Budi Santoso", "90", "88", None, "-", "85", 80],
        [3, "12345603", "Citra Lestari", "55", "60,5", "58", "62", "60", 60],
    ]
    return xlsx_bytes(
        [
            ["LEGER NILAI SISWA"],
            ["SMP Negeri 1 Contoh"],
            [f"Kelas : {class_name}", None, None, "Semester 1"],
            [],
            header_top,
            header_sub,
            *body,
            [None, None, "Rata-rata kelas", "70", "72", "63", "71", "75", None],
        ],
        merges=["A5:A6", "B5:B6", "C5:C6", "D5:F5", "G5:H5", "I5:I6"],
    )


def test_erapor_ledger_with_merged_header_and_decimal_commas(ledger_world):
    w = ledger_world
    result, table = preview(w, erapor_ledger())
    assert result.ok, result.errors
    assert result.kind == DataKind.LEDGER
    assert result.header_row == 5
    assert table.title_class == "VII-A"
    assert "Rata-rata" in result.ignored_columns
    assert [row.action for row in result.rows] == ["created"] * 3  # the class average row is skipped
    assert Score.objects.count() == 0  # a preview writes nothing

    result = schooldata_commit(school=w.school, table=table)
    assert result.committed
    assert scores(w, w.student_a) == {
        ("Matematika", "UH 1"): Decimal("65.5"),
        ("Matematika", "PTS"): Decimal("70.0"),
        ("Matematika", "PAS"): Decimal("68.0"),
        ("Bahasa Indonesia", "PTS"): Decimal("80.0"),
        ("Bahasa Indonesia", "PAS"): Decimal("82.5"),
    }
    # Blank cells and "-" store nothing; the NISN typed as a number found Citra.
    assert ("Matematika", "PAS") not in scores(w, w.budi)
    assert ("Bahasa Indonesia", "PTS") not in scores(w, w.budi)
    assert scores(w, w.citra)[("Matematika", "PTS")] == Decimal("60.5")
    assert set(Assessment.objects.values_list("classroom__name", flat=True)) == {"VII-A"}


def test_reimporting_the_same_ledger_changes_nothing_and_corrections_are_updates(ledger_world):
    w = ledger_world
    commit(w, erapor_ledger())
    result, _table = preview(w, erapor_ledger())
    assert {row.action for row in result.rows} == {"unchanged"}

    corrected = [
        [1, "0012345601", "ANDI PRATAMA", "75,5", "70", "68", "80", "82,5", 72],
        [2, "0012345602", "Budi Santoso", "90", "88", "91", None, "85", 80],
        [3, "0012345603", "Citra Lestari", "55", "60,5", "58", "62", "60", 60],
    ]
    result = commit(w, erapor_ledger(rows=corrected))
    assert [row.action for row in result.rows] == ["updated", "updated", "unchanged"]
    assert "Matematika · UH 1: 65.5 → 75.5" in result.rows[0].details
    assert scores(w, w.student_a)[("Matematika", "UH 1")] == Decimal("75.5")
    assert scores(w, w.budi)[("Matematika", "PAS")] == Decimal("91.0")
    assert Score.objects.filter(student=w.student_a).count() == 5


def test_semicolon_csv_with_one_column_per_subject_matches_by_name_and_class(ledger_world):
    w = ledger_world
    data = csv_bytes(
        [
            ["nama", "kelas", "Matematika", "Bahasa Indonesia", "jumlah"],
            ["Andi  Pratama", "vii a", "71,5", "80", "151,5"],
            ["citra lestari", "VII-A", "", "64", "64"],
        ],
        delimiter=";",
        bom=True,
    )
    result = commit(w, data, assessment="Nilai Rapor")
    assert result.committed, result.errors
    assert scores(w, w.student_a) == {
        ("Matematika", "Nilai Rapor"): Decimal("71.5"),
        ("Bahasa Indonesia", "Nilai Rapor"): Decimal("80.0"),
    }
    assert scores(w, w.citra) == {("Bahasa Indonesia", "Nilai Rapor"): Decimal("64.0")}


def test_unknown_nisn_unknown_name_and_bad_scores_are_row_errors_and_nothing_is_saved(ledger_world):
    w = ledger_world
    data = csv_bytes(
        [
            ["nisn", "nama", "kelas", "Matematika"],
            ["0012345601", "Andi Pratama", "VII-A", "70"],
            ["0099999999", "Siapa", "VII-A", "70"],
            ["", "Tidak Ada", "VII-A", "70"],
            ["0012345602", "Budi", "VII-A", "tujuh puluh"],
            ["0012345603", "Citra", "VII-A", "101"],
            [w.other_student.nisn, "Orang Lain", "VII-A", "70"],
        ]
    )
    result, table = preview(w, data)
    problems = {(e.row, e.column) for e in result.errors}
    assert problems == {(3, "nisn"), (4, "nama"), (5, "Matematika"), (6, "Matematika"), (7, "nisn")}
    other = next(e for e in result.errors if e.row == 7)
    assert "Orang Lain" not in other.message and "Lain" not in other.message
    result = schooldata_commit(school=w.school, table=table)
    assert not result.committed
    assert Score.objects.count() == 0


def test_a_student_who_moved_class_is_shown_before_import(ledger_world):
    w = ledger_world
    data = csv_bytes([["nisn", "nama", "kelas", "Matematika"], ["0012345699", "Sekar", "VII-A", "70"]])
    result, _table = preview(w, data)
    assert result.ok
    assert any("VIII-B" in detail and "VII-A" in detail for detail in result.rows[0].details)


def test_a_column_that_is_no_subject_of_the_school_is_reported(ledger_world):
    w = ledger_world
    data = csv_bytes([["nisn", "nama", "Matematika", "Bahasa Jawa"], ["0012345601", "Andi", "70", "80"]])
    result, _table = preview(w, data)
    assert not result.ok
    assert "Bahasa Jawa" in result.errors[0].message


def test_the_same_student_twice_is_an_error(ledger_world):
    w = ledger_world
    data = csv_bytes([["nisn", "nama", "Matematika"], ["0012345601", "Andi", "70"], ["0012345601", "Andi", "72"]])
    result, _table = preview(w, data)
    assert {e.row for e in result.errors} == {2, 3}


def test_files_that_are_no_ledger_get_one_message(ledger_world):
    w = ledger_world
    for data in (b"", b"\x00\x01garbage", csv_bytes([["a", "b"], ["1", "2"]])):
        result, table = preview(w, data)
        assert table is None and len(result.errors) == 1


# Attendance -------------------------------------------------------------------


def test_monthly_recap_with_S_I_A_columns(ledger_world):
    w = ledger_world
    data = csv_bytes(
        [
            ["REKAP ABSENSI BULAN SEPTEMBER 2026"],
            ["No", "NISN", "Nama", "H", "S", "I", "A"],
            ["1", "0012345601", "Andi Pratama", "18", "1", "0", "3"],
            ["2", "0012345602", "Budi Santoso", "22", "", "", ""],
        ],
        delimiter=";",
    )
    result = commit(w, data, month="2026-09-01")
    assert result.committed, result.errors
    assert result.kind == DataKind.ATTENDANCE
    andi = AttendanceMonth.objects.get(student=w.student_a)
    assert (andi.month, andi.present, andi.sick, andi.permitted, andi.absent) == (
        datetime.date(2026, 9, 1),
        18,
        1,
        0,
        3,
    )
    assert andi.rate == Decimal("81.8")
    again, _t = preview(w, data, month="2026-09-01")
    assert {row.action for row in again.rows} == {"unchanged"}


def test_recap_without_present_column_counts_school_days(ledger_world):
    w = ledger_world
    data = csv_bytes([["nisn", "nama", "sakit", "izin", "alpa"], ["0012345601", "Andi", "1", "1", "2"]])
    result = commit(w, data, month="2026-09-01")
    assert result.committed, result.errors
    # September 2026 has 22 weekdays.
    assert AttendanceMonth.objects.get(student=w.student_a).present == 18


def test_recap_needs_a_month(ledger_world):
    w = ledger_world
    data = csv_bytes([["nisn", "nama", "sakit", "izin", "alpa"], ["0012345601", "Andi", "1", "1", "2"]])
    result, _t = preview(w, data)
    assert not result.ok


def test_one_row_per_student_day(ledger_world):
    w = ledger_world
    data = csv_bytes(
        [
            ["nisn", "nama", "tanggal", "status"],
            ["0012345601", "Andi", "01/09/2026", "H"],
            ["0012345601", "Andi", "02/09/2026", "A"],
            ["0012345601", "Andi", "03/09/2026", "sakit"],
            ["0012345601", "Andi", "01/10/2026", "Izin"],
        ]
    )
    result = commit(w, data)
    assert result.committed, result.errors
    months = {a.month.month: (a.present, a.sick, a.permitted, a.absent) for a in AttendanceMonth.objects.all()}
    assert months == {9: (1, 1, 0, 1), 10: (0, 0, 1, 0)}


def test_per_day_errors(ledger_world):
    w = ledger_world
    data = csv_bytes(
        [
            ["nisn", "nama", "tanggal", "status"],
            ["0012345601", "Andi", "01/09/2026", "H"],
            ["0012345601", "Andi", "01/09/2026", "A"],
            ["0012345601", "Andi", "31/09/2026", "H"],
            ["0012345601", "Andi", "02/09/2026", "X"],
        ]
    )
    result, _t = preview(w, data)
    assert {e.row for e in result.errors} == {3, 4, 5}
    assert AttendanceMonth.objects.count() == 0


def test_a_formula_without_a_saved_value_leaves_only_its_row_out(ledger_world):
    w = ledger_world
    data = xlsx_bytes(
        [
            ["nisn", "nama", "kelas", "Matematika"],
            ["0012345601", "Andi", "VII-A", "=70+5"],
            ["0012345602", "Budi", "VII-A", 80],
        ]
    )
    result, table = preview(w, data)
    assert not result.ok and result.good_rows_only
    assert [(e.row, e.column, e.formula) for e in result.errors] == [(2, "Matematika", True)]
    result = schooldata_commit(school=w.school, table=table, good_rows_only=True)
    assert result.committed
    assert dict(Score.objects.values_list("student__full_name", "value")) == {"Budi Santoso": Decimal("80.0")}
