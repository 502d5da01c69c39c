"""/roster/import/: upload, preview, confirm — the way a school admin uses it."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from roster.models import Classroom, Enrollment, Student
from roster.views import IMPORT_SESSION_KEY
from tests.roster.conftest import STUDENT_HEADER, csv_bytes, xlsx_bytes

URL = reverse("roster:import")


def students_file(name="siswa.csv"):
    rows = [
        STUDENT_HEADER,
        ["81234501", "2601", "Ahmad  Fauzi", "L", "14/03/2013", "VII-A", "Slamet", "0812 3456 7001"],
        ["0071234502", "2501", "Kadek Ayu", "P", "21/06/2012", "VIII-B", "", ""],
    ]
    return SimpleUploadedFile(name, csv_bytes(rows, delimiter=";", bom=True), content_type="text/csv")


def upload(client, file, kind=""):
    return client.post(URL, {"file": file, "kind": kind, "action": "preview"})


def confirm(client):
    return client.post(URL, {"action": "confirm"}, follow=True)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def pending_files(media):
    return list((Path(media) / "imports").glob("*.json"))


# Access -------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    for response in (client.get(URL), client.post(URL, {"action": "confirm"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "vp"])
def test_other_roles_are_refused(login, world, role):
    client = login(world.roles[role])
    assert client.get(URL).status_code == 403
    assert upload(client, students_file()).status_code == 403
    assert client.post(URL, {"action": "confirm"}).status_code == 403
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_admin_sees_the_upload_form(login, world):
    response = login(world.admin).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in body
    assert 'name="file"' in body and 'name="kind"' in body
    assert "Detect automatically" in body
    assert re.search(r'<label\s+for="id_file"', body)


# Upload → preview → import ------------------------------------------------


def test_upload_preview_and_import(login, world, private_media):
    client = login(world.admin)
    response = upload(client, students_file())
    assert response.status_code == 200
    page = text(response)
    assert "Preview: nothing is saved yet" in page
    assert "Students, header on row 1" in page
    assert '<span class="badge text-bg-success">2</span> new' in page
    assert "<caption>What the import will do, row by row</caption>" in page
    assert '<th scope="row">2</th>' in page and "0081234501" in page and "Ahmad Fauzi" in page
    assert 'value="confirm"' in page
    assert not Student.objects.filter(nisn="0081234501").exists()
    # The rows wait on the server, not in the form.
    assert len(pending_files(private_media)) == 1
    assert pending_files(private_media)[0].stat().st_mode & 0o777 == 0o600
    assert "Kadek" not in re.sub(r"<table.*</table>", "", page, flags=re.S)
    assert client.session[IMPORT_SESSION_KEY]

    response = confirm(client)
    assert response.redirect_chain == [(URL, 302)]
    assert "Students imported: 2 new, 0 changed, 0 unchanged." in text(response)
    ahmad = Student.objects.get(nisn="0081234501")
    assert ahmad.school == world.school
    assert ahmad.full_name == "Ahmad Fauzi"
    assert Enrollment.objects.get(student=ahmad, term=world.term).classroom == world.class_a
    assert pending_files(private_media) == []
    assert IMPORT_SESSION_KEY not in client.session
    event = AuditEvent.objects.get(object_type="roster")
    assert (event.actor, event.school, event.action) == (world.admin, world.school, "change")
    assert event.detail == {"import": "students", "created": 2, "updated": 0, "unchanged": 0, "error": 0}

    # Confirming twice imports nothing more.
    response = confirm(client)
    assert "no import waiting" in text(response)


def test_reimport_reports_everything_unchanged(login, world):
    client = login(world.admin)
    upload(client, students_file())
    confirm(client)
    page = text(upload(client, students_file()))
    assert '<span class="badge text-bg-secondary">2</span> unchanged' in page
    response = confirm(client)
    assert "Students imported: 0 new, 0 changed, 2 unchanged." in text(response)


def test_xlsx_upload_with_kind_chosen(login, world):
    client = login(world.admin)
    data = xlsx_bytes([["name", "grade", "homeroom_teacher", "counselor"], ["IX-A", "IX", "vp", "counselor"]])
    file = SimpleUploadedFile("kelas.xlsx", data)
    page = text(upload(client, file, kind="classrooms"))
    assert "Classes, header on row 1" in page
    assert "Classes imported: 1 new" in text(confirm(client))
    assert Classroom.objects.get(school=world.school, name="IX-A").homeroom_teacher == world.vp


def test_cancel_discards_the_upload(login, world, private_media):
    client = login(world.admin)
    upload(client, students_file())
    response = client.post(URL, {"action": "cancel"}, follow=True)
    assert "cancelled" in text(response)
    assert pending_files(private_media) == []
    assert "no import waiting" in text(confirm(client))
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_bad_rows_are_listed_and_nothing_can_be_imported(login, world, private_media):
    client = login(world.admin)
    rows = [
        STUDENT_HEADER,
        ["0081234501", "1", "Good", "L", "", "VII-A", "", ""],
        ["12", "2", "Bad Nisn", "L", "", "VII-A", "", ""],
        ["0081234503", "3", "Bad Class", "L", "", "IX-Z", "", ""],
        [world.other_student.nisn, "4", "Other School", "L", "", "VII-A", "", ""],
    ]
    response = upload(client, SimpleUploadedFile("siswa.csv", csv_bytes(rows)))
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was imported" in page
    assert "<caption>Problems, row by row</caption>" in page
    assert '<th scope="row">3</th> <td>nisn</td> <td>The NISN must have 10 digits (found 2).</td>' in page
    assert '<th scope="row">4</th> <td>kelas</td>' in page
    assert '<th scope="row">5</th> <td>nisn</td> <td>This NISN belongs to a student of another school.' in page
    assert world.other_student.full_name not in page
    assert 'value="confirm"' not in page
    assert pending_files(private_media) == []
    assert IMPORT_SESSION_KEY not in client.session
    assert "no import waiting" in text(confirm(client))
    assert not Student.objects.filter(nisn="0081234501").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("kosong.csv", b"", "The file is empty."),
        ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "This file is a PNG file"),
        ("acak.csv", bytes(range(256)) * 8, "not a CSV or Excel"),
        ("rusak.xlsx", b"PK\x03\x04\x00\x00broken", "could not be read as an Excel workbook"),
        ("surat.csv", b"Kepada Yth. Bapak/Ibu\n", "No header row"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message(login, world, name, data, message):
    response = upload(login(world.admin), SimpleUploadedFile(name, data))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert '<th scope="row">File</th>' in page


def test_the_form_requires_a_file(login, world):
    response = login(world.admin).post(URL, {"kind": "", "action": "preview"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_an_unknown_kind_is_a_form_error(login, world):
    response = upload(login(world.admin), students_file(), kind="grades")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_file_is_checked_again_when_confirming(login, world):
    client = login(world.admin)
    rows = [STUDENT_HEADER, ["0081234501", "1", "Ahmad", "L", "", "IX-A", "", ""]]
    Classroom.objects.create(school=world.school, name="IX-A", grade=9)
    assert "Preview" in text(upload(client, SimpleUploadedFile("s.csv", csv_bytes(rows))))
    Classroom.objects.filter(name="IX-A").delete()
    response = confirm(client)
    assert response.redirect_chain == []
    page = text(response)
    assert "Nothing was imported" in page and "no class “IX-A”" in page
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_a_pending_import_belongs_to_its_school_and_user(login, world, client):
    admin = login(world.admin)
    upload(admin, students_file())
    token = admin.session[IMPORT_SESSION_KEY]
    # Another school's admin who somehow learned the token cannot use it.
    client.force_login(world.outsider)
    session = client.session
    session[IMPORT_SESSION_KEY] = token
    session.save()
    response = client.post(URL, {"action": "confirm"}, follow=True)
    assert "no import waiting" in text(response)
    assert not Student.objects.filter(nisn="0081234501").exists()


def test_outsider_imports_into_their_own_school_only(login, world):
    client = login(world.outsider)
    rows = [
        STUDENT_HEADER,
        ["0091234501", "1", "Anak Sana", "P", "", "VII-A", "", ""],
    ]
    upload(client, SimpleUploadedFile("s.csv", csv_bytes(rows)))
    assert "1 new" in text(confirm(client))
    assert Student.objects.get(nisn="0091234501").school == world.other_school
    assert Student.objects.get(nisn="0091234501").classroom == world.other_class

    # This school's students cannot be reached from there.
    rows = [STUDENT_HEADER, [world.student_a.nisn, "1", "Renamed", "P", "", "VII-A", "", ""]]
    page = text(upload(client, SimpleUploadedFile("s.csv", csv_bytes(rows))))
    assert "belongs to a student of another school" in page
    world.student_a.refresh_from_db()
    assert world.student_a.full_name == "Andi Pratama"
    assert world.student_a.school == world.school

    # Nor this school's staff accounts.
    staff = csv_bytes([["username", "full_name", "roles"], ["teacher", "Stolen", "guru"]])
    page = text(upload(client, SimpleUploadedFile("staff.csv", staff)))
    assert "already used by an account at another school" in page


def test_hidden_fields_cannot_smuggle_rows(login, world):
    client = login(world.admin)
    upload(client, students_file())
    client.post(URL, {"action": "confirm", "rows": '[[2, ["0000000099", "x", "L", "VII-A"]]]', "kind": "staff"})
    assert not Student.objects.filter(nisn="0000000099").exists()
    assert Student.objects.filter(nisn="0081234501").exists()


# Example files ------------------------------------------------------------


def test_admin_downloads_the_examples(login, world):
    client = login(world.admin)
    response = client.get(reverse("roster:import_example", args=["students.csv"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"nisn,")
    assert client.get(reverse("roster:import_example", args=["dapodik-students.xlsx"])).status_code == 200
    assert client.get(reverse("roster:import_example", args=["settings.py"])).status_code == 404
    assert client.get("/roster/import/examples/..%2F..%2Fconfig%2Fsettings.py").status_code == 404
    assert 'href="/roster/import/examples/staff.csv"' in client.get(URL).content.decode()


def test_examples_are_for_admins(login, world, client):
    url = reverse("roster:import_example", args=["students.csv"])
    assert client.get(url).status_code == 302
    assert login(world.teacher).get(url).status_code == 403


def test_imported_staff_can_use_forgot_password(login, world, client, mailoutbox):
    admin = login(world.admin)
    staff = csv_bytes(
        [["username", "full_name", "email", "roles"], ["bk.rahma", "Rahma", "rahma@example.sch.id", "guru bk"]]
    )
    upload(admin, SimpleUploadedFile("staff.csv", staff))
    confirm(admin)
    admin.logout()
    client.post(reverse("password_reset"), {"email": "rahma@example.sch.id"})
    assert len(mailoutbox) == 1


def test_a_resent_confirm_imports_once_and_says_what_the_first_did(login, world):
    """Issue #12.1: the confirm carries a one-time token; sent twice, the second
    lands on the first import's message instead of "nothing waiting"."""
    client = login(world.admin)
    page = upload(client, students_file()).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)
    data = {"action": "confirm", "form_token": token}
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 302
    shown = [str(m) for m in client.get(URL).context["messages"]]
    assert shown[0] == shown[-1] and "2 new" in shown[0]
    assert not any("no import waiting" in m for m in shown)
    assert Student.objects.filter(school=world.school, full_name="Kadek Ayu").count() == 1


def test_a_formula_row_is_reported_and_the_good_rows_can_be_imported(login, world):
    client = login(world.admin)
    rows = [
        ["NISN", "Nama", "JK", "Kelas"],
        ["0081234501", "Ahmad Fauzi", "L", "VII-A"],
        ["0081234502", '=HYPERLINK("https://dapo.example/s/2","Budi")', "L", "VII-A"],
    ]
    page = text(upload(client, SimpleUploadedFile("siswa.xlsx", xlsx_bytes(rows))))
    assert '<th scope="row">3</th> <td>Nama</td> <td>A formula, not text: type the full name.</td>' in page
    assert "The name is missing" not in page
    assert "Import the good rows" in page
    response = confirm(client)
    assert "Students imported: 1 new" in text(response)
    assert Student.objects.filter(nisn="0081234501").exists()
    assert not Student.objects.filter(nisn="0081234502").exists()
