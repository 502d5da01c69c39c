"""manage.py import_roster FILE --school NPSN [--kind] [--dry-run]"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from roster.models import Classroom, Student
from tests.roster.conftest import STUDENT_HEADER, csv_bytes, xlsx_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_roster", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def students_csv(tmp_path):
    path = tmp_path / "siswa.csv"
    rows = [STUDENT_HEADER, ["81234501", "1", "Ahmad", "L", "14/03/2013", "VII-A", "", ""]]
    path.write_bytes(csv_bytes(rows, delimiter=";", bom=True))
    return path


def test_it_imports(world, students_csv):
    out, _err = run(students_csv, "--school", world.school.npsn)
    assert "Students, header on row 1." in out
    assert "Imported: 1 new, 0 changed, 0 unchanged." in out
    assert Student.objects.get(nisn="0081234501").school == world.school
    out, _err = run(students_csv, "--school", world.school.npsn)
    assert "Imported: 0 new, 0 changed, 1 unchanged." in out


def test_dry_run_saves_nothing(world, students_csv):
    out, _err = run(students_csv, "--school", world.school.npsn, "--dry-run", "-v", "2")
    assert "Dry run, nothing was saved: 1 new, 0 changed, 0 unchanged." in out
    assert "2: New 0081234501 Ahmad VII-A" in out
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_bad_rows_are_listed_and_nothing_is_imported(world, tmp_path):
    path = tmp_path / "siswa.csv"
    rows = [
        STUDENT_HEADER,
        ["0081234501", "1", "Good", "L", "", "VII-A", "", ""],
        ["0081234502", "2", "Bad", "X", "", "IX-Z", "", ""],
        [world.other_student.nisn, "3", "Other", "L", "", "VII-A", "", ""],
    ]
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError, match="3 problems found: nothing was imported"):
        run(path, "--school", world.school.npsn)
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--school", world.school.npsn, stderr=err, stdout=StringIO())
    assert "Row 3 [jk]: Unknown gender" in err.getvalue()
    assert "Row 3 [kelas]: There is no class “IX-Z”" in err.getvalue()
    assert "Row 4 [nisn]: This NISN belongs to a student of another school" in err.getvalue()
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_xlsx_with_kind(world, tmp_path):
    path = tmp_path / "kelas.xlsx"
    path.write_bytes(xlsx_bytes([["nama", "tingkat"], ["IX-A", 9]]))
    out, _err = run(path, "--school", world.school.npsn, "--kind", "classrooms")
    assert "Imported: 1 new" in out
    assert Classroom.objects.get(school=world.school, name="IX-A").grade == 9


def test_the_dapodik_example(world):
    out, _err = run(EXAMPLES / "dapodik-students.xlsx", "--school", world.school.npsn)
    assert "header on row 5" in out
    assert "Imported: 4 new" in out


def test_wrong_kind_unknown_school_and_missing_file(world, students_csv, tmp_path):
    with pytest.raises(CommandError, match="1 problem found"):
        run(students_csv, "--school", world.school.npsn, "--kind", "staff")
    with pytest.raises(CommandError, match="No school has the NPSN 99999999"):
        run(students_csv, "--school", "99999999")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv", "--school", world.school.npsn)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="1 problem found"):
        run(empty, "--school", world.school.npsn)


def test_it_imports_into_the_named_school_only(world, students_csv):
    run(students_csv, "--school", world.other_school.npsn)
    assert Student.objects.get(nisn="0081234501").school == world.other_school
    with pytest.raises(CommandError):
        run(students_csv, "--school", world.school.npsn)  # the NISN is now the other school's
