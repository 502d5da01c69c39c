"""/school-data/import/ and /school-data/early-warning/ as people use them."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import Referral
from schooldata.models import AttendanceMonth, Score, WarningDismissal
from tests.schooldata.conftest import csv_bytes
from tests.schooldata.test_import import erapor_ledger

IMPORT = reverse("schooldata:import")
WARNINGS = reverse("schooldata:early_warning")


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def upload(client, data, name="leger.xlsx", **fields):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, data), "action": "preview", "assessment": "", **fields}
    )


def test_admin_previews_then_imports_a_ledger(login, ledger_world):
    w = ledger_world
    client = login(w.admin)
    assert client.get(IMPORT).status_code == 200
    response = upload(client, erapor_ledger())
    page = text(response)
    assert "Preview: nothing is saved yet" in page
    assert "Andi Pratama" in page and "MTK / UH 1" in page
    assert Score.objects.count() == 0
    response = client.post(IMPORT, {"action": "confirm", "form_token": response.context["form_token"]}, follow=True)
    assert "Grade ledger imported: 3 new, 0 changed, 0 unchanged." in text(response)
    assert Score.objects.count() == 13


def test_a_file_with_problems_lists_them_row_by_row_and_saves_nothing(login, ledger_world):
    w = ledger_world
    client = login(w.admin)
    data = csv_bytes([["nisn", "nama", "Matematika"], ["0099999999", "Siapa", "70"]])
    response = upload(client, data, name="nilai.csv")
    page = text(response)
    assert response.status_code == 200
    assert "Nothing was imported" in page and "0099999999" in page
    assert "confirm" not in page.split("Nothing was imported")[1].split("Upload the corrected file")[0]


def test_attendance_recap_needs_the_month_from_the_form(login, ledger_world):
    w = ledger_world
    client = login(w.admin)
    data = csv_bytes([["nisn", "nama", "S", "I", "A", "H"], ["0012345601", "Andi", "1", "0", "2", "17"]])
    response = upload(client, data, name="absen.csv", month="2026-09")
    assert "Preview: nothing is saved yet" in text(response)
    client.post(IMPORT, {"action": "confirm", "form_token": response.context["form_token"]})
    assert AttendanceMonth.objects.get().absent == 2
    response = upload(client, data, name="absen.csv", month="September")
    assert "Write the month as yyyy-mm" in text(response)


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "vp"])
def test_only_the_school_admin_imports(login, ledger_world, role):
    w = ledger_world
    client = login(w.roles[role])
    assert client.get(IMPORT).status_code == 403
    assert upload(client, erapor_ledger()).status_code == 403
    assert Score.objects.count() == 0


def test_example_files_download(login, ledger_world):
    client = login(ledger_world.admin)
    for name in ("leger-nilai.xlsx", "nilai-rapor.csv", "rekap-absensi.csv", "absensi-harian.csv"):
        response = client.get(reverse("schooldata:import_example", args=[name]))
        assert response.status_code == 200, name
    assert client.get(reverse("schooldata:import_example", args=["settings.py"])).status_code == 404


def test_the_examples_import_into_the_demo_school():
    """docs/examples/ name the demo school's VII-A by NISN (checked in tests/project with seed_demo)."""
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "docs" / "examples" / "leger-nilai.xlsx").read_bytes()
    from schooldata.importing import read_data_table

    table = read_data_table(data)
    assert table.title_class == "VII-A"
    assert len(table.rows) == 10


# Early warning ---------------------------------------------------------------


@pytest.fixture
def warned(ledger_world):
    w = ledger_world
    AttendanceMonth.objects.create(school=w.school, student=w.student_a, month="2026-09-01", present=15, absent=5)
    AttendanceMonth.objects.create(school=w.school, student=w.student_b, month="2026-09-01", present=15, absent=5)
    return w


def test_homeroom_teacher_sees_their_class_and_refers_with_the_figures(login, warned):
    w = warned
    client = login(w.homeroom)
    page = text(client.get(WARNINGS))
    assert "Andi Pratama" in page and "VII-A" in page
    assert "Sekar" not in page  # VIII-B
    response = client.post(WARNINGS, {"action": "refer", "student": w.student_a.pk})
    assert response.status_code == 302
    assert response.url == f"{reverse('referrals:new')}?student={w.student_a.pk}"
    form = client.get(response.url).context["form"]
    assert "75%" in form.initial["observation"] and "5 days absent without leave" in form.initial["observation"]
    assert form.initial["absences_30_days"] == 5
    # The figures are never in the URL, and only pre-fill once.
    assert "observation" not in client.get(response.url).context["form"].initial
    assert Referral.objects.count() == 0


def test_counselor_sees_covered_classes_and_dismisses_with_a_reason(login, warned):
    w = warned
    client = login(w.counselor2)
    page = text(client.get(WARNINGS))
    assert "Sekar" in page and "Andi Pratama" not in page
    assert 'value="refer"' not in page  # counselors do not file referrals
    response = client.post(WARNINGS, {"action": "dismiss", "student": w.student_b.pk, "reason": ""})
    assert response.status_code == 200
    assert "This field is required" in text(response) or "Say why" in text(response)
    assert not WarningDismissal.objects.exists()
    response = client.post(
        WARNINGS, {"action": "dismiss", "student": w.student_b.pk, "reason": "Family event, back now"}
    )
    assert response.status_code == 302
    assert "Sekar" not in text(client.get(WARNINGS))


def test_a_student_of_another_class_cannot_be_referred_or_dismissed_from_my_list(login, warned):
    w = warned
    client = login(w.homeroom)
    response = client.post(WARNINGS, {"action": "refer", "student": w.student_b.pk}, follow=True)
    assert "no longer on the list" in text(response)
    client.post(WARNINGS, {"action": "dismiss", "student": w.student_b.pk, "reason": "x"})
    client.post(WARNINGS, {"action": "dismiss", "student": w.other_student.pk, "reason": "x"})
    assert not WarningDismissal.objects.exists()


def test_the_school_admin_does_not_see_the_list(login, warned):
    assert login(warned.admin).get(WARNINGS).status_code == 403


@pytest.mark.parametrize("role", ["teacher", "vp"])
def test_a_teacher_without_a_homeroom_class_sees_no_names(login, warned, role):
    page = text(login(warned.roles[role]).get(WARNINGS))
    assert "Andi Pratama" not in page and "Sekar" not in page
