"""roster.importing: reading real school files, checking every row, committing."""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role, User
from roster.importing import ColumnKind, read_table, roster_import_commit, roster_import_preview
from roster.models import Classroom, Enrollment, Student, Subject, TeachingAssignment, Term
from tests.roster.conftest import STUDENT_HEADER, csv_bytes, with_cached_values, xlsx_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def preview(world, data, kind=None, school=None):
    return roster_import_preview(school=school or world.school, data=data, kind=kind)


def commit(world, data, kind=None, school=None):
    result, table = preview(world, data, kind, school)
    assert result.ok, result.errors
    result = roster_import_commit(school=school or world.school, table=table)
    assert result.committed, result.errors
    return result


def errors_by_row(result):
    return {(e.row, e.column): e.message for e in result.errors}


def student_rows():
    return [
        STUDENT_HEADER,
        ["0081234501", "2601", "Ahmad Fauzi", "L", "14/03/2013", "VII-A", "Slamet Riyadi", "0812 3456 7001"],
        ["0071234502", "2501", "Kadek Ayu", "P", "2012-06-21", "VIII-B", "", ""],
    ]


# Students -----------------------------------------------------------------


def test_students_csv_preview_writes_nothing_and_counts_rows(world):
    result, table = preview(world, csv_bytes(student_rows()))
    assert result.ok
    assert result.kind == ColumnKind.STUDENTS
    assert result.counts == {"created": 2, "updated": 0, "unchanged": 0, "error": 0}
    assert [row.key for row in result.rows] == ["0081234501", "0071234502"]
    assert table.kind == ColumnKind.STUDENTS
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_students_csv_commit_creates_and_enrolls(world):
    result = commit(world, csv_bytes(student_rows()))
    assert result.counts["created"] == 2
    ahmad = Student.objects.get(nisn="0081234501")
    assert ahmad.school == world.school
    assert ahmad.full_name == "Ahmad Fauzi"
    assert ahmad.nis == "2601"
    assert ahmad.gender == "L"
    assert ahmad.birth_date == datetime.date(2013, 3, 14)
    assert ahmad.guardian_name == "Slamet Riyadi"
    assert ahmad.guardian_phone == "+6281234567001"
    assert ahmad.classroom == world.class_a
    assert Enrollment.objects.get(student=ahmad, term=world.term).classroom == world.class_a
    kadek = Student.objects.get(nisn="0071234502")
    assert kadek.classroom == world.class_b
    assert kadek.guardian_phone == ""


def test_students_xlsx_with_number_and_date_cells(world):
    rows = [
        ["NISN", "NIS", "Nama", "JK", "Tanggal Lahir", "Kelas"],
        [81234501, 2601, "Ahmad Fauzi", "L", datetime.datetime(2013, 3, 14), "VII-A"],
        [71234502.0, "2501", "Kadek Ayu", "Perempuan", datetime.date(2012, 6, 21), "VIII-B"],
    ]
    result = commit(world, xlsx_bytes(rows))
    assert result.counts["created"] == 2
    ahmad = Student.objects.get(nisn="0081234501")
    assert ahmad.nis == "2601"
    assert ahmad.birth_date == datetime.date(2013, 3, 14)
    assert Student.objects.get(nisn="0071234502").gender == "P"


def test_reimporting_the_same_file_changes_nothing(world):
    data = csv_bytes(student_rows())
    commit(world, data)
    before = list(Student.objects.order_by("pk").values())
    result = commit(world, data)
    assert result.counts == {"created": 0, "updated": 0, "unchanged": 2, "error": 0}
    assert list(Student.objects.order_by("pk").values()) == before
    assert Enrollment.objects.filter(student__nisn="0081234501").count() == 1


def test_changes_are_shown_and_applied(world):
    commit(world, csv_bytes(student_rows()))
    rows = student_rows()
    rows[1][2] = "Ahmad Fauzi Rahman"
    rows[1][5] = "VIII-B"
    rows[2][7] = "0813 1111 2222"
    result, table = preview(world, csv_bytes(rows))
    assert result.counts == {"created": 0, "updated": 2, "unchanged": 0, "error": 0}
    assert "Full name" in result.rows[0].details
    assert "Class: VIII-B" in result.rows[0].details
    assert result.rows[1].details == ["Guardian phone"]
    roster_import_commit(school=world.school, table=table)
    ahmad = Student.objects.get(nisn="0081234501")
    assert ahmad.full_name == "Ahmad Fauzi Rahman"
    assert ahmad.classroom == world.class_b
    assert Enrollment.objects.get(student=ahmad, term=world.term).classroom == world.class_b
    assert Enrollment.objects.filter(student=ahmad).count() == 1


def test_empty_cells_never_erase_stored_data(world):
    world.student_a.guardian_phone = "+6281234567001"
    world.student_a.save()
    rows = [STUDENT_HEADER, [world.student_a.nisn, "", world.student_a.full_name, "L", "", "VII-A", "", ""]]
    result = commit(world, csv_bytes(rows))
    assert result.counts["unchanged"] == 1
    world.student_a.refresh_from_db()
    assert world.student_a.guardian_phone == "+6281234567001"
    assert world.student_a.birth_date == datetime.date(2013, 5, 1)


def test_a_student_who_left_and_is_in_the_file_is_active_again(world):
    Student.objects.filter(pk=world.student_a.pk).update(is_active=False)
    rows = [STUDENT_HEADER, [world.student_a.nisn, "", world.student_a.full_name, "L", "", "VII-A", "", ""]]
    result = commit(world, csv_bytes(rows))
    assert result.rows[0].details == ["Active"]
    world.student_a.refresh_from_db()
    assert world.student_a.is_active


def test_real_school_csv_bom_semicolons_dates_lost_zeros_and_spaces(world):
    rows = [
        ["  NISN ", "NIS", "Nama  Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Kelas", "Nama Wali", "No HP"],
        ["81234501", " 2601 ", "  Ahmad   Fauzi ", " l ", "4/3/2013", " vii-a ", " Slamet  Riyadi", "0812-3456-7001"],
        ["123456789", "2602", "Siti", "P", "01-02-2013", "VII A", "", "-"],
        ["1.23456788E+09", "2603", "Made", "Laki-laki", "2013-01-05 00:00:00", "VIII-B", "", ""],
        ["'0123456787", "2604", "Putu", "P", "05.01.2013", "VIII-B", "", ""],
    ]
    result = commit(world, csv_bytes(rows, delimiter=";", bom=True))
    assert result.counts["created"] == 4
    ahmad = Student.objects.get(nisn="0081234501")
    assert ahmad.full_name == "Ahmad Fauzi"
    assert ahmad.nis == "2601"
    assert ahmad.birth_date == datetime.date(2013, 3, 4)  # dd/mm/yyyy, never mm/dd
    assert ahmad.guardian_name == "Slamet Riyadi"
    assert ahmad.classroom == world.class_a
    siti = Student.objects.get(nisn="0123456789")
    assert siti.classroom == world.class_a  # "VII A" is VII-A
    assert siti.birth_date == datetime.date(2013, 2, 1)
    assert Student.objects.get(nisn="1234567880").gender == "L"
    assert Student.objects.get(nisn="0123456787").birth_date == datetime.date(2013, 1, 5)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(world, delimiter):
    result, _table = preview(world, csv_bytes(student_rows(), delimiter=delimiter))
    assert result.ok, result.errors
    assert result.counts["created"] == 2


def test_windows_code_page_and_utf16_files(world):
    rows = student_rows()
    rows[1][2] = "Ahmad Fauzi Ça"
    assert preview(world, csv_bytes(rows, delimiter=";", encoding="cp1252"))[0].rows[0].name == "Ahmad Fauzi Ça"
    utf16 = csv_bytes(rows, delimiter="\t", encoding="utf-16")
    assert preview(world, utf16)[0].ok


def test_excel_shortened_nisn_is_an_error(world):
    rows = [STUDENT_HEADER, ["1.23457E+08", "", "Ahmad", "L", "", "VII-A", "", ""]]
    result, _table = preview(world, csv_bytes(rows))
    assert "shortened by Excel" in errors_by_row(result)[(2, "nisn")]


def dapodik_rows(students):
    parent = ["Nama", "Tahun Lahir", "Jenjang Pendidikan", "Pekerjaan", "Penghasilan", "NIK"]
    before = ["No", "Nama", "NIPD", "JK", "NISN", "Tempat Lahir", "Tanggal Lahir", "NIK", "Alamat", "HP"]
    after = ["Rombel Saat Ini", "Nomor KIP", "Sekolah Asal"]
    top = before + ["Data Ayah"] + [None] * 5 + ["Data Ibu"] + [None] * 5 + ["Data Wali"] + [None] * 5 + after
    sub = [None] * len(before) + parent * 3 + [None] * len(after)
    rows = [["Daftar Peserta Didik"], ["SMP NEGERI 1 CONTOH"], ["Tanggal Unduh: 2026-07-20"], top, sub]
    for n, (name, nisn, born, hp, father, mother, guardian, rombel) in enumerate(students, start=1):
        row = [n, name, f"26{n:02d}", "L", nisn, "Bandung", born, f"32010100000000{n:02d}", "Jl. Melati", hp]
        for person in (father, mother, guardian):
            row += [person, 1980, "SMA", "Buruh", "< 1 juta", "3201"] if person else [None] * 6
        row += [rombel, "", "SD 1"]
        rows.append(row)
    return rows


def test_dapodik_export_imports_as_it_is(world):
    rows = dapodik_rows(
        [
            ("ANDIKA PRATAMA", 81234511, "2013-04-11", "081234567011", "SUPRIYADI", "WARSINI", "", "VII-A"),
            ("BUNGA", 81234512, datetime.datetime(2013, 7, 25), "", "", "SRI MULYANI", "", "VII-A"),
            ("DEDE", "0071234513", "2012-12-01", "-", "ASEP", "ENTIN", "H. MAMAN", "VIII-B"),
        ]
    )
    merges = ["A1:Z1", "K4:P4", "Q4:V4", "W4:AB4"] + [f"{c}4:{c}5" for c in "ABCDEFGHIJ"]
    data = xlsx_bytes(rows, merges=merges)
    result, table = preview(world, data)
    assert result.ok, result.errors
    assert result.kind == ColumnKind.STUDENTS
    assert result.header_row == 4
    assert "NIK" in result.ignored_columns
    assert "Data Ayah / NIK" in result.ignored_columns
    assert set(table.fields) == {
        "full_name",
        "nis",
        "gender",
        "nisn",
        "birth_date",
        "guardian_phone",
        "father_name",
        "mother_name",
        "guardian_name",
        "classroom",
    }
    roster_import_commit(school=world.school, table=table)
    andika = Student.objects.get(nisn="0081234511")
    assert andika.full_name == "ANDIKA PRATAMA"
    assert andika.nis == "2601"
    assert andika.birth_date == datetime.date(2013, 4, 11)
    assert andika.guardian_name == "SUPRIYADI"  # no guardian: the father
    assert andika.guardian_phone == "+6281234567011"
    assert andika.classroom == world.class_a
    assert Student.objects.get(nisn="0081234512").guardian_name == "SRI MULYANI"  # then the mother
    dede = Student.objects.get(nisn="0071234513")
    assert dede.guardian_name == "H. MAMAN"  # the guardian first
    assert dede.guardian_phone == ""
    assert dede.classroom == world.class_b


def test_shipped_dapodik_example_imports(world):
    result = commit(world, (EXAMPLES / "dapodik-students.xlsx").read_bytes())
    assert result.counts["created"] == 4
    assert Student.objects.get(nisn="0071234514").birth_date == datetime.date(2012, 2, 29)


def test_every_bad_student_row_is_reported_and_nothing_is_imported(world):
    rows = [
        STUDENT_HEADER,
        ["0081234501", "1", "Good Row", "L", "14/03/2013", "VII-A", "", ""],
        ["12345", "2", "Short Nisn", "L", "", "VII-A", "", ""],
        ["0081234503", "3", "", "L", "", "VII-A", "", ""],
        ["0081234504", "4", "Bad Gender", "X", "", "VII-A", "", ""],
        ["0081234505", "5", "Bad Date", "P", "31/02/2013", "VII-A", "", ""],
        ["0081234506", "6", "Future", "P", "01/01/2999", "VII-A", "", ""],
        ["0081234507", "7", "Unknown Class", "P", "", "IX-Z", "", ""],
        ["0081234508", "8", "No Class", "P", "", "", "", ""],
        ["0081234509", "9", "Bad Phone", "P", "", "VII-A", "", "12"],
        ["0081234510", "10", "Twice", "P", "", "VII-A", "", ""],
        ["0081234510", "11", "Twice Again", "P", "", "VII-A", "", ""],
        ["ABCDEFGHIJ", "12", "Letters", "P", "", "VII-A", "", ""],
    ]
    result, table = preview(world, csv_bytes(rows))
    assert not result.ok
    errors = errors_by_row(result)
    assert "10 digits" in errors[(3, "nisn")]
    assert errors[(4, "nama")] == "The name is missing."
    assert "Unknown gender" in errors[(5, "jk")]
    assert "not a valid date" in errors[(6, "tanggal_lahir")]
    assert "future" in errors[(7, "tanggal_lahir")]
    assert "no class “IX-Z”" in errors[(8, "kelas")]
    assert errors[(9, "kelas")] == "The class is missing."
    assert (10, "hp_wali") in errors
    assert "more than once" in errors[(11, "nisn")] and "11, 12" in errors[(11, "nisn")]
    assert "more than once" in errors[(12, "nisn")]
    assert "only digits" in errors[(13, "nisn")]
    assert (2, "nisn") not in errors
    assert result.counts["created"] == 1
    assert result.counts["error"] == 11
    # The commit checks again and writes nothing.
    result = roster_import_commit(school=world.school, table=table)
    assert not result.committed
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_a_nisn_of_another_school_is_an_error_and_the_student_stays(world):
    other = world.other_student
    rows = [STUDENT_HEADER, [other.nisn, "9", "Taken Over", "L", "", "VII-A", "", ""]]
    result, table = preview(world, csv_bytes(rows))
    message = errors_by_row(result)[(2, "nisn")]
    assert "another school" in message
    assert other.full_name not in message and world.other_school.name not in message
    assert not roster_import_commit(school=world.school, table=table).committed
    other.refresh_from_db()
    assert other.school == world.other_school
    assert other.full_name == "Orang Lain"
    assert other.classroom == world.other_class


def test_no_current_term_is_a_file_error(world):
    Term.objects.filter(school=world.school).update(is_current=False)
    result, _table = preview(world, csv_bytes(student_rows()))
    assert not result.ok
    assert result.errors[0].row is None
    assert "no current term" in result.errors[0].message


# Files that are not what they should be -----------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n \r\n", "The file is empty."),
        (b";;;\r\n;;;\r\n", "The file is empty."),
        (b"nisn,nama,jk,kelas\r\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "PNG"),
        (bytes(range(256)) * 16, "not a CSV or Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel file"),
        (b"PK\x03\x04 this is no zip at all", "could not be read as an Excel workbook"),
        (b"Dear operator,\nplease find the list attached.\n", "No header row"),
        (b"nisn,nama\r\n0081234501,Ahmad\r\n", "no column for: Gender (gender), Class (classroom)"),
        (b'nisn,nama,jk,kelas\r\n"0081234501,Ahmad,L,VII-A\r\n', "Row"),
    ],
)
def test_unreadable_files_get_a_clear_file_error(world, data, message):
    result, table = preview(world, data)
    assert table is None
    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert message in result.errors[0].message


def test_a_real_png_renamed_to_csv(world):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    result, _table = preview(world, png)
    assert result.errors[0].message.startswith("This file is a PNG file")


def test_too_many_rows(world):
    rows = [STUDENT_HEADER] + [[f"{n:010d}", "", "x", "L", "", "VII-A", "", ""] for n in range(10_001)]
    result, _table = preview(world, csv_bytes(rows))
    assert "too many rows" in result.errors[0].message


def test_the_kind_is_detected_and_a_wrong_choice_is_explained(world):
    staff = csv_bytes([["username", "full_name", "roles"], ["new.guru", "Guru Baru", "guru"]])
    assert read_table(staff).kind == ColumnKind.STAFF
    classes = csv_bytes([["nama", "tingkat"], ["IX-A", "9"]])
    assert read_table(classes).kind == ColumnKind.CLASSROOMS
    assignments = csv_bytes([["guru", "kelas", "mapel"], ["teacher", "VII-A", "IPA"]])
    assert read_table(assignments).kind == ColumnKind.ASSIGNMENTS
    result, _table = preview(world, staff, kind=ColumnKind.STUDENTS)
    assert "looks like a file of Staff accounts" in result.errors[0].message
    # A student list chosen as classes would fit ("nama" is a class name column).
    result, _table = preview(world, csv_bytes(student_rows()), kind=ColumnKind.CLASSROOMS)
    assert result.errors[0].message.startswith("This looks like a file of Students, not of Classes.")


# Staff accounts -----------------------------------------------------------


def staff_rows(*rows):
    return csv_bytes([["username", "full_name", "email", "whatsapp", "roles"], *rows])


def test_staff_import_creates_accounts_without_password(world):
    data = staff_rows(
        ["bk.rahma", "Rahma Yuliani", "rahma@example.sch.id", "0813 2233 4455", "guru bk"],
        ["pak.joko", "Joko Susilo", "", "", "Guru, Wakil Kepala Sekolah"],
        ["operator2", "Wulan", "", "", "operator"],
    )
    result, _table = preview(world, data)
    assert result.counts["created"] == 3
    assert result.rows[1].details == ["Teacher, Vice principal"]
    commit(world, data)
    rahma = User.objects.get(username="bk.rahma")
    assert not is_password_usable(rahma.password)
    assert rahma.whatsapp == "+6281322334455"
    assert not rahma.is_staff
    assert set(rahma.memberships.values_list("school", "role")) == {(world.school.pk, Role.COUNSELOR)}
    joko = User.objects.get(username="pak.joko")
    assert set(joko.memberships.values_list("role", flat=True)) == {Role.TEACHER, Role.VICE_PRINCIPAL}
    assert User.objects.get(username="operator2").is_staff  # school admins use the Django admin


def test_staff_import_adds_roles_and_never_removes_them(world):
    data = staff_rows(["vp", "", "", "", "counselor"], ["teacher", "Sri Wahyuni", "", "", "teacher"])
    result, _table = preview(world, data)
    assert result.rows[0].action == "updated"
    assert result.rows[0].details == ["New role: Counselor"]
    assert result.rows[1].action == "unchanged"
    commit(world, data)
    assert set(world.vp.memberships.values_list("role", flat=True)) == {
        Role.VICE_PRINCIPAL,
        Role.TEACHER,
        Role.COUNSELOR,
    }
    result = commit(world, data)
    assert result.counts["unchanged"] == 2


def test_every_bad_staff_row_is_reported(world):
    world.admin.is_superuser = True
    world.admin.save()
    data = staff_rows(
        ["good.one", "Good", "good@example.sch.id", "", "guru"],
        ["bad.mail", "Bad Mail", "not-an-email", "", "guru"],
        ["bad.role", "Bad Role", "", "", "kepala sekolah"],
        ["outsider", "Stolen", "", "", "guru"],
        ["bad phone", "Spaces", "", "", "guru"],
        ["no.name", "", "", "", "guru"],
        ["wa.bad", "Bad WA", "", "0812", "guru"],
        ["twice", "Twice", "", "", "guru"],
        ["TWICE", "Twice", "", "", "guru"],
        ["admin", "Take Over", "evil@example.com", "", "guru"],
        ["no.role", "No Role", "", "", ""],
    )
    result, table = preview(world, data)
    errors = errors_by_row(result)
    assert (2, "username") not in errors
    assert "not a valid email" in errors[(3, "email")]
    assert "Unknown role" in errors[(4, "roles")]
    assert "another school" in errors[(5, "username")]
    assert "not a valid username" in errors[(6, "username")]
    assert "needed for a new account" in errors[(7, "full_name")]
    assert (8, "whatsapp") in errors
    assert "more than once" in errors[(9, "username")] and "more than once" in errors[(10, "username")]
    assert "cannot be changed" in errors[(11, "username")]
    assert "at least one role" in errors[(12, "roles")]
    assert not roster_import_commit(school=world.school, table=table).committed
    assert not User.objects.filter(username="good.one").exists()
    world.outsider.refresh_from_db()
    assert world.outsider.full_name != "Stolen"


# Classes ------------------------------------------------------------------


def test_classrooms_import(world):
    data = csv_bytes(
        [
            ["Nama Kelas", "Tingkat", "Wali Kelas", "Guru BK"],
            ["IX-A", "IX", "vp", "counselor2"],
            ["vii-a", "7", "", "counselor2"],
            ["VIII-B", "VIII", "", "counselor2"],
        ],
        delimiter=";",
    )
    result, _table = preview(world, data)
    assert [row.action for row in result.rows] == ["created", "updated", "unchanged"]
    assert result.rows[1].details == ["Counselor"]
    commit(world, data)
    nine = Classroom.objects.get(school=world.school, name="IX-A")
    assert (nine.grade, nine.homeroom_teacher, nine.counselor) == (9, world.vp, world.counselor2)
    world.class_a.refresh_from_db()
    assert world.class_a.counselor == world.counselor2
    assert world.class_a.homeroom_teacher == world.homeroom  # an empty cell keeps the homeroom teacher
    assert commit(world, data).counts["unchanged"] == 3


def test_classrooms_xlsx(world):
    commit(world, xlsx_bytes([["name", "grade", "homeroom_teacher", "counselor"], ["IX-B", 9, "teacher", "counselor"]]))
    assert Classroom.objects.get(school=world.school, name="IX-B").homeroom_teacher == world.teacher


def test_every_bad_classroom_row_is_reported(world):
    data = csv_bytes(
        [
            ["name", "grade", "homeroom_teacher", "counselor"],
            ["IX-A", "10", "", ""],
            ["IX-B", "9", "nobody", ""],
            ["IX-C", "9", "", "teacher"],
            ["IX-D", "9", "outsider", ""],
            ["IX-E", "9", "counselor", ""],
            ["IX-F", "9", "", ""],
            ["ix-f", "9", "", ""],
            ["", "9", "", ""],
            ["X" * 31, "9", "", ""],
        ]
    )
    result, _table = preview(world, data)
    errors = errors_by_row(result)
    assert "Unknown grade" in errors[(2, "grade")]
    assert "no staff account “nobody”" in errors[(3, "homeroom_teacher")]
    assert "not a counselor" in errors[(4, "counselor")]
    assert "no staff account “outsider”" in errors[(5, "homeroom_teacher")]
    assert "not a teacher" in errors[(6, "homeroom_teacher")]
    assert "more than once" in errors[(7, "name")] and "more than once" in errors[(8, "name")]
    assert "missing" in errors[(9, "name")]
    assert "too long" in errors[(10, "name")]
    assert result.counts["error"] == 9


# Teaching assignments -----------------------------------------------------


def test_assignments_import_creates_new_subjects_once(world):
    data = csv_bytes(
        [
            ["teacher", "classroom", "subject"],
            ["teacher", "VII-A", "matematika"],
            ["teacher", "VIII-B", "IPA"],
            ["homeroom", "VIII-B", "ipa"],
            ["vp", "VII-A", "PPKn"],
        ]
    )
    result, _table = preview(world, data)
    assert [row.action for row in result.rows] == ["unchanged", "created", "created", "created"]
    assert result.rows[1].details == ["New subject “IPA” will be created."]
    assert result.notes == ["New subjects: IPA, PPKn."]
    commit(world, data)
    assert Subject.objects.filter(school=world.school, name__iexact="ipa").count() == 1
    assert TeachingAssignment.objects.filter(
        teacher=world.homeroom, classroom=world.class_b, subject__name="IPA", term=world.term
    ).exists()
    assert commit(world, data).counts["unchanged"] == 4


def test_every_bad_assignment_row_is_reported(world):
    data = csv_bytes(
        [
            ["guru", "kelas", "mapel"],
            ["nobody", "VII-A", "IPA"],
            ["counselor", "VII-A", "IPA"],
            ["teacher", "IX-Z", "IPA"],
            ["teacher", "VII-A", ""],
            ["", "VII-A", "IPA"],
            ["teacher", "VIII-B", "IPS"],
            ["teacher", "viii-b", "ips"],
            ["outsider", "VII-A", "IPA"],
        ]
    )
    result, table = preview(world, data)
    errors = errors_by_row(result)
    assert "no staff account" in errors[(2, "guru")]
    assert "not a teacher" in errors[(3, "guru")]
    assert "no class “IX-Z”" in errors[(4, "kelas")]
    assert "subject is missing" in errors[(5, "mapel")]
    assert "teacher is missing" in errors[(6, "guru")]
    assert "more than once" in errors[(7, "mapel")] and "more than once" in errors[(8, "mapel")]
    assert "no staff account" in errors[(9, "guru")]
    assert not roster_import_commit(school=world.school, table=table).committed
    assert not Subject.objects.filter(name="IPS").exists()


# The shipped examples, in the documented order ----------------------------


def test_shipped_examples_import_in_order(world):
    for name, kind, created in [
        ("staff.csv", ColumnKind.STAFF, 3),
        ("classrooms.csv", ColumnKind.CLASSROOMS, 1),
        ("students.csv", ColumnKind.STUDENTS, 5),
        ("assignments.csv", ColumnKind.ASSIGNMENTS, 3),
    ]:
        result = commit(world, (EXAMPLES / name).read_bytes())
        assert result.kind == kind, name
        assert result.counts["created"] == created, (name, result.counts)
        assert commit(world, (EXAMPLES / name).read_bytes()).counts["unchanged"] == len(result.rows), name


# Speed: the number of queries does not grow with the rows ----------------


def _students_csv(count, classroom="VII-A"):
    rows = [STUDENT_HEADER]
    rows += [[f"05{n:08d}", str(n), f"Siswa {n}", "LP"[n % 2], "01/05/2013", classroom, "", ""] for n in range(count)]
    return csv_bytes(rows)


def _commit_queries(world, data):
    _result, table = preview(world, data)
    with CaptureQueriesContext(connection) as queries:
        assert roster_import_commit(school=world.school, table=table).committed
    return [q["sql"] for q in queries.captured_queries]


def test_reads_do_not_grow_with_rows(world):
    # The term, the classes, the students with these NISNs, their enrollments
    # and the enrollments again when placing them: the same for 10 or 300
    # rows. Writes are bulk statements (SQLite caps each at 999 values).
    small = _commit_queries(world, _students_csv(10))
    large = _commit_queries(world, _students_csv(300, "VIII-B"))  # 10 move class, 290 are new
    selects = [sql for sql in large if sql.startswith("SELECT")]
    assert len(selects) == len([sql for sql in small if sql.startswith("SELECT")]) + 1 == 5
    assert len(large) < 25


def test_other_schools_admin_imports_into_their_own_school(world):
    rows = [STUDENT_HEADER, ["0081234599", "", "Anak Lain", "L", "", "VII-A", "", ""]]
    commit(world, csv_bytes(rows), school=world.other_school)
    student = Student.objects.get(nisn="0081234599")
    assert student.school == world.other_school
    assert student.classroom == world.other_class


def test_memberships_are_not_duplicated(world):
    data = staff_rows(["teacher", "", "", "", "guru, teacher"])
    commit(world, data)
    assert Membership.objects.filter(user=world.teacher, role=Role.TEACHER).count() == 1


def test_a_clash_while_writing_saves_nothing(world, monkeypatch):
    result, table = preview(world, csv_bytes(student_rows()))

    def clash(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: roster_student.nisn")

    monkeypatch.setattr("roster.importing.kinds.enroll_many", clash)
    result = roster_import_commit(school=world.school, table=table)
    assert not result.committed
    assert "changed while importing" in result.errors[0].message
    assert not Student.objects.filter(nisn="0081234501").exists()


# Formula cells (issue #12) ------------------------------------------------


def formula_rows():
    return [
        ["NISN", "NIS", "Nama", "JK", "Kelas"],
        ["0081234501", "1", "Ahmad Fauzi", "L", "VII-A"],
        ["0081234502", "2", '=HYPERLINK("https://dapo.example/s/2","Budi Santoso")', "L", "VII-A"],
        ["0081234503", "3", "Citra Lestari", "P", "VII-A"],
    ]


def test_a_formula_cell_reads_the_value_excel_saved(world):
    data = with_cached_values(xlsx_bytes(formula_rows()), {"C3": "Budi Santoso"})
    result = commit(world, data)
    assert result.counts["created"] == 3
    assert Student.objects.get(nisn="0081234502").full_name == "Budi Santoso"


def test_a_formula_without_a_saved_value_is_reported_for_its_row_alone(world):
    result, table = preview(world, xlsx_bytes(formula_rows()))
    assert not result.ok
    assert errors_by_row(result) == {(3, "Nama"): "A formula, not text: type the full name."}
    assert result.good_rows_only
    assert [row.action for row in result.rows] == ["created", "error", "created"]
    assert not roster_import_commit(school=world.school, table=table).committed
    result = roster_import_commit(school=world.school, table=table, good_rows_only=True)
    assert result.committed
    assert set(Student.objects.filter(nisn__startswith="00812345").values_list("nisn", flat=True)) == {
        "0081234501",
        "0081234503",
    }


def test_a_formula_row_and_another_problem_block_the_file(world):
    rows = formula_rows() + [["12", "4", "Dedi", "L", "VII-A"]]
    result, table = preview(world, xlsx_bytes(rows))
    assert not result.good_rows_only
    assert not roster_import_commit(school=world.school, table=table, good_rows_only=True).committed
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_the_formula_cells_survive_the_pending_file(world):
    _result, table = preview(world, xlsx_bytes(formula_rows()))
    again = type(table).from_dict(json.loads(json.dumps(table.to_dict())))
    assert again.is_formula(3, "full_name") and not again.is_formula(2, "full_name")
