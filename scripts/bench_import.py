"""How long does importing 1,000 students take? (the issue asks for well under 10 s)

    .venv/bin/python scripts/bench_import.py [--students N]

Builds a throwaway SQLite database in a temporary folder (never db.sqlite3),
migrates the roster tables, creates one school with nine classes and a current
term, writes a school-style CSV (UTF-8 with BOM, semicolons, dd/mm/yyyy, NISNs
without their leading zero) and an XLSX of N students, then times each step the
web page takes: read + check (the preview), keeping the upload between the two
steps, and the commit (which checks again and writes in one transaction). Then
the same file again (everything unchanged) and a file where 10% changed class.
Last, a grade ledger (schooldata) of those students with 12 subjects.
"""

import argparse
import csv
import datetime
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="sinergi-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = str(Path(folder) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    try:
        run(args.students)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(count):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database ready in {time.perf_counter() - started:.1f} s ({connection.vendor}, throwaway)")

    import openpyxl

    from accounts.models import Membership, Role, User
    from roster.importing import pending, roster_import_commit, roster_import_preview
    from roster.models import AcademicYear, Classroom, Enrollment, School, Student, Term

    school = School.objects.create(name="SMP Negeri Bench", npsn="29999999")
    year = AcademicYear.objects.create(
        school=school, name="2026/2027", starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2027, 6, 30)
    )
    Term.objects.create(
        school=school,
        year=year,
        name="Semester 1",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 12, 31),
        is_current=True,
    )
    names = [f"{roman}-{letter}" for roman in ("VII", "VIII", "IX") for letter in "ABC"]
    Classroom.objects.bulk_create(
        [Classroom(school=school, name=name, grade=7 + i // 3) for i, name in enumerate(names)]
    )
    admin = User.objects.create(username="bench-admin", full_name="Bench Admin")
    Membership.objects.create(user=admin, school=school, role=Role.SCHOOL_ADMIN)

    header = ["NISN", "NIS", "Nama", "JK", "Tanggal Lahir", "Kelas", "Nama Wali", "HP Wali"]

    def rows(moved=0):
        for n in range(count):
            classroom = names[(n + (1 if n < moved else 0)) % len(names)]
            yield [
                str(81000000 + n),  # 0081000000…: the leading zeros lost, as Excel does
                str(2600 + n),
                f"  Siswa  Nomor {n} ",
                "LP"[n % 2],
                f"{1 + n % 28:02d}/{1 + n % 12:02d}/2013",
                classroom,
                f"Wali {n}",
                f"0812 {3000 + n % 7000:04d} {n % 10000:04d}",
            ]

    def as_csv(moved=0):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows(moved))
        return b"\xef\xbb\xbf" + buffer.getvalue().encode()

    def as_xlsx():
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows():
            row[0] = int(row[0])  # a number cell
            row[4] = datetime.datetime.strptime(row[4], "%d/%m/%Y")  # a date cell
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def timed(label, data):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            result, table = roster_import_preview(school=school, data=data)
            t1 = time.perf_counter()
            token = pending.save_pending(table=table, school=school, user=admin)
            table = pending.load_pending(token, school=school, user=admin)
            pending.discard_pending(token)
            t2 = time.perf_counter()
            result = roster_import_commit(school=school, table=table)
            t3 = time.perf_counter()
        assert result.committed, result.errors[:5]
        counts = result.counts
        print(
            f"{label:<34} {len(data) / 1024:7.0f} KB  preview {t1 - t0:5.2f} s  keep {t2 - t1:5.2f} s  "
            f"commit {t3 - t2:5.2f} s  total {t3 - t0:5.2f} s  {len(queries):3d} queries  "
            f"new {counts['created']:4d} changed {counts['updated']:4d} unchanged {counts['unchanged']:4d}"
        )
        return t3 - t0

    print(f"\nimporting {count} students (SQLite, Python {sys.version.split()[0]})")
    first = timed("CSV, new students", as_csv())
    timed("same CSV again (nothing changes)", as_csv())
    timed(f"CSV, {count // 10} students change class", as_csv(moved=count // 10))
    Student.objects.all().delete()
    timed("XLSX, new students", as_xlsx())
    assert Student.objects.count() == count
    assert Enrollment.objects.count() == count
    print(f"\n{count} new students from CSV: {first:.2f} s (target: well under 10 s)")
    bench_ledger(school, admin, count)


def bench_ledger(school, admin, count, subjects=12):
    """A grade ledger (schooldata) for the same students: one row per student,
    a class column and one column per subject, decimal commas, as XLSX."""
    import openpyxl
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roster.importing import pending
    from roster.models import Student, Subject
    from schooldata.importing import DataTable, schooldata_commit, schooldata_preview

    names = [f"Mapel {i + 1}" for i in range(subjects)]
    Subject.objects.bulk_create([Subject(school=school, name=name) for name in names])
    students = list(Student.objects.filter(school=school).select_related("classroom").order_by("nisn"))

    def ledger(shift=0):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["LEGER NILAI"])
        sheet.append(["No", "NISN", "Nama", "Kelas", *names])
        for n, student in enumerate(students):
            values = [
                f"{60 + (n + i + shift) % 40},5" if (n + i) % 3 == 0 else 60 + (n + i + shift) % 40
                for i in range(subjects)
            ]
            sheet.append([n + 1, student.nisn, student.full_name, student.classroom.name, *values])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def timed(label, data):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            result, table = schooldata_preview(school=school, data=data, options={"assessment": "Nilai Rapor"})
            t1 = time.perf_counter()
            token = pending.save_pending_data(data=table.to_dict(), school=school, user=admin)
            table = DataTable.from_dict(pending.load_pending_data(token, school=school, user=admin))
            pending.discard_pending(token)
            t2 = time.perf_counter()
            result = schooldata_commit(school=school, table=table)
            t3 = time.perf_counter()
        assert result.committed, result.errors[:5]
        counts = result.counts
        print(
            f"{label:<34} {len(data) / 1024:7.0f} KB  preview {t1 - t0:5.2f} s  keep {t2 - t1:5.2f} s  "
            f"commit {t3 - t2:5.2f} s  total {t3 - t0:5.2f} s  {len(queries):3d} queries  "
            f"new {counts['created']:4d} changed {counts['updated']:4d} unchanged {counts['unchanged']:4d}"
        )
        return t3 - t0

    print(f"\nimporting a grade ledger of {len(students)} students with {subjects} subjects (XLSX)")
    first = timed("ledger, new scores", ledger())
    timed("same ledger again (nothing changes)", ledger())
    timed("ledger, every score corrected", ledger(shift=1))
    print(f"\nledger of {len(students)} students x {subjects} subjects: {first:.2f} s (target: under 10 s)")


if __name__ == "__main__":
    main()
