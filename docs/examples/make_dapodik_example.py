"""Write dapodik-students.xlsx: a student list laid out like Dapodik's
"Daftar Peserta Didik" export (title rows, a two-row header with Data Ayah /
Data Ibu / Data Wali, dozens of columns the import ignores, NISN stored as a
number). The people are made up.

    .venv/bin/python docs/examples/make_dapodik_example.py
"""

import datetime
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
PARENT = ["Nama", "Tahun Lahir", "Jenjang Pendidikan", "Pekerjaan", "Penghasilan", "NIK"]
BEFORE = [
    "No", "Nama", "NIPD", "JK", "NISN", "Tempat Lahir", "Tanggal Lahir", "NIK", "Agama", "Alamat", "RT", "RW",
    "Dusun", "Kelurahan", "Kecamatan", "Kode Pos", "Jenis Tinggal", "Alat Transportasi", "Telepon", "HP", "E-Mail",
    "SKHUN", "Penerima KPS", "No. KPS",
]  # fmt: skip
GROUPS = ["Data Ayah", "Data Ibu", "Data Wali"]
AFTER = [
    "Rombel Saat Ini", "No Peserta Ujian Nasional", "No Seri Ijazah", "Penerima KIP", "Nomor KIP", "Nama di KIP",
    "Nomor KKS", "No Registrasi Akta Lahir", "Bank", "Nomor Rekening Bank", "Rekening Atas Nama",
    "Layak PIP (usulan dari sekolah)", "Alasan Layak PIP", "Kebutuhan Khusus", "Sekolah Asal", "Anak ke-berapa",
    "Lintang", "Bujur", "No KK", "Berat Badan", "Tinggi Badan", "Lingkar Kepala", "Jml. Saudara Kandung",
    "Jarak Rumah ke Sekolah (KM)",
]  # fmt: skip

# name, NIPD, JK, NISN (a number: leading zeros lost), birth date, HP, father, mother, guardian, rombel
STUDENTS = [
    ("ANDIKA PRATAMA", "2603", "L", 81234511, "2013-04-11", "081234567011", "SUPRIYADI", "WARSINI", "", "VII-A"),
    ("BUNGA CITRA LESTARI", "2604", "P", 81234512, datetime.date(2013, 7, 25), "", "", "SRI MULYANI", "", "VII-A"),
    ("DEDE SUNARYA", "2503", "L", 71234513, "2012-12-01", "0857-1234-5013", "ASEP", "ENTIN", "H. MAMAN", "VIII-B"),
    ("ELISABETH", "2504", "P", "0071234514", "2012-02-29", "-", "YOSEF", "MARIA", "", "VIII-B"),
]


def build(path=HERE / "dapodik-students.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Peserta Didik"
    width = len(BEFORE) + len(GROUPS) * len(PARENT) + len(AFTER)
    last = get_column_letter(width)
    sheet.append(["Daftar Peserta Didik"])
    sheet.append(["SMP NEGERI 1 SUKAMAJU"])
    sheet.append(["Kecamatan Sukamaju, Kabupaten Contoh, Provinsi Jawa Barat"])
    sheet.append(["Tanggal Unduh: 2026-07-20 08:15:02", None, None, None, None, "Pengunduh: operator@sukamaju.sch.id"])
    for row in (1, 2, 3):
        sheet.merge_cells(f"A{row}:{last}{row}")

    top = list(BEFORE)
    sub = [None] * len(BEFORE)
    for group in GROUPS:
        top += [group] + [None] * (len(PARENT) - 1)
        sub += PARENT
    top += AFTER
    sub += [None] * len(AFTER)
    sheet.append(top)
    sheet.append(sub)
    column = 1
    for _name in BEFORE:
        sheet.merge_cells(start_row=5, start_column=column, end_row=6, end_column=column)
        column += 1
    for _group in GROUPS:
        sheet.merge_cells(start_row=5, start_column=column, end_row=5, end_column=column + len(PARENT) - 1)
        column += len(PARENT)
    for _name in AFTER:
        sheet.merge_cells(start_row=5, start_column=column, end_row=6, end_column=column)
        column += 1

    for number, (name, nipd, jk, nisn, born, hp, father, mother, guardian, rombel) in enumerate(STUDENTS, start=1):
        row = [number, name, nipd, jk, nisn, "Sukamaju", born, f"320101{number:010d}", "Islam", "Jl. Melati"]
        row += [1, 2, "Cibeureum", "Sukamaju", "Kec. Sukamaju", "40111", "Bersama orang tua", "Jalan kaki"]
        row += ["", hp, "", "", "Tidak", ""]
        for parent in (father, mother, guardian):
            row += [parent, 1980 if parent else "", "SMA / sederajat" if parent else "", "Wiraswasta" if parent else ""]
            row += ["Rp. 1,000,000 - Rp. 1,999,999" if parent else "", f"32010119800101{number:04d}" if parent else ""]
        row += [rombel, "", "", "Tidak", "", "", "", f"3201-LU-2013-{number:06d}", "", "", "", "Tidak", ""]
        row += ["Tidak ada", "SD NEGERI 1 SUKAMAJU", 1, -6.9, 107.6, f"32010112{number:08d}", 35, 145, 52, 1, 1.5]
        sheet.append(row)
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(build())
