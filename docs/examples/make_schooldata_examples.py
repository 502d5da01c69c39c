"""Write the school-data examples: leger-nilai.xlsx (e-Rapor's grade ledger:
title rows, "Kelas : VII-A" above the table, a merged two-row header with
UH 1 / PTS / PAS under each subject, decimal commas kept as text, the class
average below), nilai-rapor.csv (one column per subject, Indonesian Excel's
semicolons), rekap-absensi.csv (a monthly S/I/A recap) and absensi-harian.csv
(one row per student-day). The NISNS are those of the demo school's VII-A
(seed_demo); the scores are made up.

    .venv/bin/python docs/examples/make_schooldata_examples.py
"""

import csv
import random
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SUBJECTS = [("MTK", "Matematika"), ("B. Indonesia", "Bahasa Indonesia"), ("IPA", "IPA")]
PARTS = ["UH 1", "PTS", "PAS"]
NISNS = [f"0001{serial:06d}" for serial in range(1, 11)]


def ledger():
    rng = random.Random(15)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leger"
    sheet.append(["LEGER NILAI PESERTA DIDIK"])
    sheet.append(["SMP Negeri 1 Sukamaju"])
    sheet.append(["Kelas : VII-A", None, None, "Semester 1 (Ganjil)"])
    sheet.append([])
    top = ["No", "NISN", "Nama"]
    sub = [None, None, None]
    for short, _name in SUBJECTS:
        top += [short] + [None] * (len(PARTS) - 1)
        sub += PARTS
    top.append("Rata-rata")
    sub.append(None)
    sheet.append(top)
    sheet.append(sub)
    for number, nisn in enumerate(NISNS, start=1):
        row = [number, nisn, f"Siswa {number}"]
        for _subject in SUBJECTS:
            for _part in PARTS:
                value = rng.randint(55, 95) + rng.choice([0, 0, 0.5])
                row.append(str(value).replace(".", ",") if value % 1 else int(value))
        row.append(None)
        sheet.append(row)
    sheet.append([None, None, "Rata-rata kelas"])
    for column in range(1, 4):
        sheet.merge_cells(start_row=5, start_column=column, end_row=6, end_column=column)
    for i in range(len(SUBJECTS)):
        start = 4 + i * len(PARTS)
        sheet.merge_cells(start_row=5, start_column=start, end_row=5, end_column=start + len(PARTS) - 1)
    last = 4 + len(SUBJECTS) * len(PARTS)
    sheet.merge_cells(start_row=5, start_column=last, end_row=6, end_column=last)
    book.save(HERE / "leger-nilai.xlsx")


def write_csv(name, rows):
    with open(HERE / name, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)


def main():
    ledger()
    rng = random.Random(16)
    write_csv(
        "nilai-rapor.csv",
        [["nisn", "nama", "kelas", *[name for _s, name in SUBJECTS]]]
        + [
            [nisn, f"Siswa {i}", "VII-A", *[f"{rng.randint(60, 95)},{rng.choice([0, 5])}" for _s in SUBJECTS]]
            for i, nisn in enumerate(NISNS, start=1)
        ],
    )
    write_csv(
        "rekap-absensi.csv",
        [["REKAP ABSENSI KELAS VII-A"], ["No", "NISN", "Nama", "H", "S", "I", "A"]]
        + [
            [i, nisn, f"Siswa {i}", 20 - (s := rng.randint(0, 2)) - (a := rng.choice([0, 0, 0, 1, 4])), s, 0, a]
            for i, nisn in enumerate(NISNS, start=1)
        ],
    )
    write_csv(
        "absensi-harian.csv",
        [["nisn", "nama", "tanggal", "status"]]
        + [
            [nisn, f"Siswa {i}", f"{day:02d}/09/2026", rng.choice("HHHHHHHHSIA")]
            for i, nisn in enumerate(NISNS[:3], start=1)
            for day in (1, 2, 3, 4, 7, 8)
        ],
    )


if __name__ == "__main__":
    main()
