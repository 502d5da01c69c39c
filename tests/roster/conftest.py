"""Helpers for the roster import tests: files built in memory."""

import csv
import io

import openpyxl
import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Pending imports go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(rows, *, delimiter=",", bom=False, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, merges=(), title="Sheet1"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


STUDENT_HEADER = ["nisn", "nis", "nama", "jk", "tanggal_lahir", "kelas", "nama_wali", "hp_wali"]
