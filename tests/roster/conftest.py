"""Helpers for the roster import tests: files built in memory."""

import csv
import io
import re
import zipfile

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


def with_cached_values(data: bytes, cached: dict[str, str]) -> bytes:
    """The XLSX with a saved value for some formula cells ({"C3": "Budi"}), as Excel
    writes it after computing them; openpyxl itself saves formulas without one."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                xml = content.decode()
                for ref, value in cached.items():
                    xml = re.sub(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                        rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
                        xml,
                    )
                content = xml.encode()
            out.writestr(item, content)
    return target.getvalue()
