"""Importing the bell schedule and the timetable, in both shapes schools keep (issue #13)."""

import datetime

import pytest

from roster.importing import ColumnKind, read_table, roster_import_commit, roster_import_preview
from roster.models import Lesson, Period, Subject, TeachingAssignment
from tests import factories as f
from tests.roster.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

BELL = [
    ["Hari", "Jam ke", "Mulai", "Selesai"],
    ["Senin", "1", "07.00", "07.40"],
    ["", "2", "07:40", "08:20"],  # the day carried down, as a merged cell reads
    ["Selasa", "1", "07:00", "07:40"],
    ["Selasa", "2", "07:40", "08:20"],
    ["Jumat", "1", "07:00", "07:35"],
]


def preview(world, data, kind=None):
    return roster_import_preview(school=world.school, data=data, kind=kind)


def commit(world, data, kind=None):
    result, table = preview(world, data, kind)
    assert result.ok, result.errors
    result = roster_import_commit(school=world.school, table=table)
    assert result.committed, result.errors
    return result


def errors(result):
    return {(e.row, e.column): e.message for e in result.errors}


def test_bell_schedule_imports_and_is_idempotent(world):
    result = commit(world, csv_bytes(BELL))
    assert result.kind == ColumnKind.BELL_SCHEDULE
    assert result.counts["created"] == 5
    monday_2 = Period.objects.get(term=world.term, weekday=0, number=2)
    assert (monday_2.starts_at, monday_2.ends_at) == (datetime.time(7, 40), datetime.time(8, 20))
    assert commit(world, csv_bytes(BELL)).counts["unchanged"] == 5
    changed = [row[:] for row in BELL]
    changed[5][3] = "07:30"
    assert commit(world, csv_bytes(changed)).counts["updated"] == 1
    assert Period.objects.get(term=world.term, weekday=4, number=1).ends_at == datetime.time(7, 30)


def test_bell_schedule_errors_row_by_row_and_nothing_is_saved(world):
    rows = [*BELL, ["Sabtu", "1", "07:00", "07:40"], ["Minggu", "1", "07:00", "07:40"], ["Senin", "3", "9", "08:00"]]
    rows.append(["Senin", "1", "08:00", "07:00"])
    result, _table = preview(world, csv_bytes(rows))
    found = errors(result)
    assert "5 days a week" in found[(7, "Hari")]
    assert "not a school day" in found[(8, "Hari")]
    assert "not a time" in found[(9, "Mulai")]
    assert "end after it starts" in found[(10, "Selesai")]
    assert "more than once" in found[(2, "Jam ke")] and "more than once" in found[(10, "Jam ke")]
    assert not roster_import_commit(school=world.school, table=_table).committed
    assert not Period.objects.exists()


def test_timetable_one_row_per_lesson(world):
    commit(world, csv_bytes(BELL))
    rows = [
        ["Kelas", "Hari", "Jam ke", "Mapel", "Guru"],
        ["VII-A", "Senin", "1", "Matematika", "teacher"],
        ["VII-A", "Senin", "2", "Matematika", "teacher"],
        ["VIII-B", "Senin", "1", "Bahasa Indonesia", "homeroom"],
        ["VIII-B", "Selasa", "2", "IPA", "teacher_b"],
    ]
    result = commit(world, csv_bytes(rows))
    assert result.kind == ColumnKind.TIMETABLE and result.counts["created"] == 4
    assert "New subjects: IPA." in result.notes
    maths = TeachingAssignment.objects.get(teacher=world.teacher, classroom=world.class_a)
    assert sorted(maths.lessons.values_list("weekday", "number")) == [(0, 1), (0, 2)]
    # A new assignment was made for Bambang in VIII-B, and IPA as a subject.
    assert TeachingAssignment.objects.filter(teacher=world.homeroom, classroom=world.class_b).exists()
    assert Subject.objects.filter(school=world.school, name="IPA").exists()
    # Idempotent; and a class's lesson in a period is replaced by the new one.
    assert commit(world, csv_bytes(rows)).counts["unchanged"] == 4
    rows[2] = ["VII-A", "Senin", "2", "Bahasa Indonesia", "homeroom"]
    result = commit(world, csv_bytes(rows))
    assert result.counts["updated"] == 1
    assert Lesson.objects.filter(assignment__classroom=world.class_a, weekday=0, number=2).get().assignment.teacher == (
        world.homeroom
    )
    assert Lesson.objects.count() == 4


def test_timetable_problems(world):
    commit(world, csv_bytes(BELL))
    rows = [
        ["Kelas", "Hari", "Jam ke", "Mapel", "Guru"],
        ["VII-A", "Senin", "1", "Matematika", "teacher"],
        ["VIII-B", "Senin", "1", "Matematika", "teacher"],  # the teacher in two places at once
        ["VII-A", "Jumat", "5", "Matematika", "teacher"],  # no such period on the shorter Friday
        ["IX-Z", "Selasa", "1", "Matematika", "teacher"],
        ["VII-A", "Selasa", "2", "Matematika", "counselor"],  # not a teacher
        ["VII-A", "Selasa", "2", "IPA", "teacher_b"],  # the class twice in one period
        ["VII-A", "Rabu", "1", "Matematika", "outsider"],  # another school's account
    ]
    result, table = preview(world, csv_bytes(rows))
    found = errors(result)
    assert "two classes in the same period" in found[(2, "Guru")] and "two classes" in found[(3, "Guru")]
    assert "not in the bell schedule" in found[(4, "Jam ke")]
    assert "no class “IX-Z”" in found[(5, "Kelas")]
    assert "not a teacher" in found[(6, "Guru")]
    assert "two lessons in the same period" in found[(7, "Kelas")]
    assert "not in the bell schedule" in found[(8, "Jam ke")]
    assert "no staff account" in found[(8, "Guru")]
    assert not roster_import_commit(school=world.school, table=table).committed
    assert not Lesson.objects.exists()


def test_timetable_needs_a_bell_schedule(world):
    rows = [["Kelas", "Hari", "Jam ke", "Mapel", "Guru"], ["VII-A", "Senin", "1", "Matematika", "teacher"]]
    result, _table = preview(world, csv_bytes(rows))
    assert "Import the bell schedule first" in result.errors[0].message


def test_the_grid_days_down_classes_across_from_xlsx(world):
    commit(world, csv_bytes(BELL))
    grid = [
        ["JADWAL PELAJARAN SMP NEGERI 1 CONTOH"],
        [],
        ["Hari", "Jam ke", "Waktu", "VII-A", "VIII-B"],
        ["Senin", 1, "07.00-07.40", "Matematika / teacher", "Bahasa Indonesia (homeroom)"],
        [None, 2, "07.40-08.20", "Matematika / teacher", "-"],
        [None, None, "08.20-08.35", "ISTIRAHAT", None],
        ["Selasa", 1, "07.00-07.40", "", "Matematika / teacher_b"],
    ]
    data = xlsx_bytes(grid, merges=["A4:A6"])
    table = read_table(data)
    assert table.kind == ColumnKind.TIMETABLE_GRID
    result = commit(world, data)
    assert result.counts["created"] == 3  # rows with at least one new lesson
    assert Lesson.objects.count() == 4
    assert Lesson.objects.filter(assignment__classroom=world.class_b, weekday=1, number=1).exists()
    assert commit(world, data).counts["unchanged"] == 3


def test_the_grid_reports_bad_cells_under_the_class(world):
    commit(world, csv_bytes(BELL))
    grid = [
        ["Hari", "Jam ke", "VII-A", "IX-Z"],
        ["Senin", "1", "Matematika", ""],
        ["Senin", "2", "", "IPA / teacher"],
    ]
    result, _table = preview(world, csv_bytes(grid))
    found = errors(result)
    assert "as “Matematika / sri”" in found[(2, "VII-A")]
    assert "no class “IX-Z”" in found[(3, "IX-Z")]


def test_a_pending_grid_survives_the_session_round_trip(world):
    from roster.importing.reading import Table

    commit(world, csv_bytes(BELL))
    table = read_table(csv_bytes([["Hari", "Jam ke", "VII-A"], ["Senin", "1", "Matematika / teacher"]]))
    again = Table.from_dict(table.to_dict())
    assert again.fields == ["day", "period", "class:VII-A"]
    assert roster_import_commit(school=world.school, table=again).committed


def test_the_timetable_of_another_school_is_out_of_reach(world):
    f.bell_schedule(world.other_term)
    rows = [["Kelas", "Hari", "Jam ke", "Mapel", "Guru"], ["VII-A", "Senin", "1", "Matematika", "teacher"]]
    result, _table = roster_import_preview(school=world.other_school, data=csv_bytes(rows))
    assert "no staff account" in errors(result)[(2, "Guru")]


def test_the_admin_checks_a_lesson_like_the_import(world):
    from django.core.exceptions import ValidationError

    f.bell_schedule(world.term)
    maths = TeachingAssignment.objects.get(teacher=world.teacher, classroom=world.class_a)
    other = f.TeachingAssignmentFactory(
        teacher=world.teacher, classroom=world.class_b, subject=world.maths, term=world.term
    )
    Lesson.objects.create(school=world.school, assignment=maths, weekday=0, number=1)
    with pytest.raises(ValidationError, match="another class"):
        Lesson(school=world.school, assignment=other, weekday=0, number=1).full_clean()
    with pytest.raises(ValidationError, match="not in the bell schedule"):
        Lesson(school=world.school, assignment=other, weekday=4, number=6).full_clean()
    Lesson(school=world.school, assignment=other, weekday=0, number=2).full_clean()
