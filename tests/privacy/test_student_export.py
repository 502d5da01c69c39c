"""A counselor exports everything held about a student for a guardian's
access request: a confirmation page, then a ZIP; every export is audited."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent, ObjectType
from casework.models import ConfidentialNote
from tests.privacy.factories import NOTE_SENTINEL, PDF, student_with_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(world):
    return student_with_history(world)


def url(student):
    return reverse("privacy:student_export", args=[student.pk])


def export(client, student, **data):
    form = {"identity_checked": "on", "language": "en", **data}
    return client.post(url(student), form)


def unzip(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(body))
    return {name: archive.read(name) for name in archive.namelist()}


def exports():
    return AuditEvent.objects.filter(action=AuditAction.EXPORT)


# Access -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(url(world.student_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "vp", "admin"])
def test_it_requires_a_counselor(world, login, role):
    client = login(world.roles[role])
    assert client.get(url(world.student_a)).status_code == 403
    assert export(client, world.student_a).status_code == 403
    assert not exports().exists()


def test_it_checks_the_school(world, login):
    # The outsider is a counselor at their own school.
    client = login(world.outsider)
    assert client.get(url(world.student_a)).status_code == 404
    assert export(client, world.student_a).status_code == 404
    assert client.get(reverse("privacy:student_export", args=[999999])).status_code == 404
    assert not exports().exists()


def test_any_counselor_of_the_school_may_export(world, login):
    for counselor in (world.counselor, world.counselor2):
        page = login(counselor).get(url(world.student_a))
        assert page.status_code == 200
        assert '<h1 class="h3">Export a student\'s data</h1>' in page.text
        assert "Andi Pratama" in page.text


def test_the_case_page_links_to_it_for_counselors_only(world, login, case):
    detail = reverse("casework:detail", args=[case.pk])
    assert url(world.student_a) in login(world.counselor).get(detail).text
    for role in ("teacher", "homeroom", "vp"):
        assert url(world.student_a) not in login(world.roles[role]).get(detail).text


# The confirmation page and its form ------------------------------------------------


def test_the_page_explains_what_is_included(world, login):
    page = login(world.counselor).get(url(world.student_a))
    assert "every referral about the student" in page.text
    assert "Confidential counselor notes are left out unless you include them." in page.text
    assert "Every export is recorded in the audit trail" in page.text
    assert not exports().exists()  # looking at the page exports nothing


def test_it_asks_to_confirm_who_is_asking(world, login, case):
    response = login(world.counselor).post(url(world.student_a), {"language": "en"})
    assert response.status_code == 200
    assert "Confirm that you checked who is asking before exporting." in response.text
    assert not exports().exists()


def test_it_rejects_an_unknown_language(world, login, case):
    response = export(login(world.counselor), world.student_a, language="xx")
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not exports().exists()


def test_it_rejects_other_methods(world, login):
    assert login(world.counselor).put(url(world.student_a)).status_code == 405


# The ZIP ---------------------------------------------------------------------------


def test_it_works(world, login, case):
    response = export(login(world.counselor), world.student_a)
    assert response["Content-Disposition"].startswith('attachment; filename="sinergi-student-')
    assert "no-store" in response["Cache-Control"]
    files = unzip(response)
    attachment = case.declined.attachments.get()
    attachment_name = f"attachments/referral-{case.declined.pk}/{attachment.pk}-scores_scan.pdf"
    assert set(files) == {"README.txt", "data.json", "report.html", "timeline.csv", attachment_name}
    assert files[attachment_name] == PDF

    data = json.loads(files["data.json"])
    assert data["export"]["format"] == "sinergi-student-export"
    assert data["student"]["full_name"] == "Andi Pratama"
    assert data["student"]["nisn"] == world.student_a.nisn
    assert data["student"]["current_class"] == "VII-A"
    assert data["enrollments"] == [{"year": "2026/2027", "term": "Semester 1", "classroom": "VII-A"}]
    first, second = data["referrals"]
    assert first["observation"].startswith("Stops working after ten minutes")
    assert first["case"] == case.number
    assert second["status"] == "declined" and second["decline_reason"] == "Handled in class for now."
    assert [e["what"] for e in second["events"]] == ["Referral filed", "Declined"]
    assert second["attachments"][0]["path_in_zip"] == attachment_name
    (exported_case,) = data["cases"]
    assert exported_case["number"] == case.number
    assert exported_case["summary"] == "Shared summary: fractions are the sticking point."
    assert exported_case["goals"][0]["goal"] == "Maths score back to the class average"
    assert exported_case["actions"][0]["responsible"] == "Sri Wahyuni"
    assert exported_case["meetings"][0]["place"] == "Ruang BK"
    assert exported_case["evaluation_log"][0]["note"] == "Slightly better on fractions."
    assert {m["name"] for m in exported_case["team"]} >= {"Dewi Kartika", "Sri Wahyuni"}
    assert exported_case["events"]
    assert "Not included" in data["export"]["confidential_notes"]

    report = files["report.html"].decode()
    assert report.count("<h1") == 1
    assert "Data held about Andi Pratama" in report
    assert "Slightly better on fractions." in report
    assert "<script" not in report
    timeline = list(csv.reader(io.StringIO(files["timeline.csv"].decode("utf-8-sig"))))
    assert timeline[0] == ["Date", "Record", "What happened", "By", "Details"]
    assert any(row[4] == "Handled in class for now." for row in timeline[1:])


def test_it_holds_nothing_of_other_students(world, login, case):
    student_with_history(world, student=world.student_b, note="OTHER-STUDENT-NOTE")
    files = unzip(export(login(world.counselor), world.student_a, include_confidential="on"))
    everything = b"".join(files.values())
    assert b"Sekar" not in everything
    assert b"OTHER-STUDENT-NOTE" not in everything
    assert len(json.loads(files["data.json"])["cases"]) == 1


def test_confidential_notes_are_left_out_by_default(world, login, case):
    files = unzip(export(login(world.counselor), world.student_a))
    assert all(NOTE_SENTINEL.encode() not in content for content in files.values())
    assert not any("confidential_counselor_notes" in name for name in files)


def test_confidential_notes_come_in_a_separate_labelled_file_when_asked(world, login, case):
    files = unzip(export(login(world.counselor), world.student_a, include_confidential="on"))
    notes_json = json.loads(files["confidential_counselor_notes.json"])
    assert [n["note"] for n in notes_json["confidential_notes"]] == [f"Told me about home: {NOTE_SENTINEL}"]
    notes_html = files["confidential_counselor_notes.html"].decode()
    assert "CONFIDENTIAL." in notes_html and NOTE_SENTINEL in notes_html
    # Only there: never in the shared files.
    for name in ("data.json", "report.html", "timeline.csv", "README.txt"):
        assert NOTE_SENTINEL.encode() not in files[name]
    assert "Included, in the separate files" in json.loads(files["data.json"])["export"]["confidential_notes"]


def test_text_is_escaped_in_the_report(world, login, case):
    case.summary = '<script>alert("x")</script><img src=x>'
    case.save(update_fields=["summary"])
    files = unzip(export(login(world.counselor), world.student_a))
    report = files["report.html"].decode()
    assert "<script>" not in report and "<img" not in report
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in report
    assert json.loads(files["data.json"])["cases"][0]["summary"] == case.summary  # the data as held


def test_spreadsheet_formulas_are_neutralised_in_the_timeline(world, login, case):
    entry = case.entry
    entry.note = '=HYPERLINK("http://evil.example","click")'
    entry.save(update_fields=["note"])
    files = unzip(export(login(world.counselor), world.student_a))
    timeline = list(csv.reader(io.StringIO(files["timeline.csv"].decode("utf-8-sig"))))
    details = {row[4] for row in timeline[1:]}
    assert '\'=HYPERLINK("http://evil.example","click")' in details
    assert '=HYPERLINK("http://evil.example","click")' not in details


def test_the_files_are_in_the_chosen_language(world, login, case):
    files = unzip(export(login(world.counselor), world.student_a, language="id"))
    assert '<html lang="id">' in files["report.html"].decode()


def test_a_missing_attachment_file_does_not_break_the_export(world, login, case):
    attachment = case.declined.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    files = unzip(export(login(world.counselor), world.student_a))
    assert not any(name.startswith("attachments/") for name in files)
    assert exports().get().detail["attachments_missing"] == 1


# The audit trail -----------------------------------------------------------------


def test_every_export_is_audited(world, login, case):
    client = login(world.counselor)
    export(client, world.student_a)
    export(client, world.student_a, include_confidential="on")
    first, second = exports().order_by("id")
    for event in (first, second):
        assert event.actor == world.counselor
        assert event.object_type == ObjectType.STUDENT
        assert event.object_id == str(world.student_a.pk)
        assert event.student_id == world.student_a.pk
        assert event.school_id == world.school.pk
        assert event.path == url(world.student_a)
    assert first.detail == {
        "format": "zip",
        "purpose": "access_request",
        "language": "en",
        "referrals": 2,
        "cases": 1,
        "attachments": 1,
        "attachments_missing": 0,
        "confidential_notes": False,
    }
    assert second.detail["confidential_notes"] is True
    # The audit trail never holds the note's text.
    assert NOTE_SENTINEL not in json.dumps(second.detail)
    assert ConfidentialNote.objects.count() == 1


def test_the_forums_items_about_the_student_are_included(world, login, case):
    """Issue #13: minutes of the coordination forum about the student's case are theirs too."""
    import datetime

    from django.utils import timezone

    from forums.models import AgendaItem, ItemKind
    from forums.services import forum_for, sitting_schedule

    sitting = sitting_schedule(
        forum=forum_for(world.school), actor=world.counselor, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    AgendaItem.objects.create(
        sitting=sitting, kind=ItemKind.ADDED, case=case, title="Seat", minutes="Agreed: front row"
    )
    files = unzip(export(login(world.counselor), world.student_a))
    items = json.loads(files["data.json"])["cases"][0]["coordination_forum"]
    assert [(i["topic"], i["minutes"]) for i in items] == [("Seat", "Agreed: front row")]
    assert b"Agreed: front row" in files["report.html"] and b"Agreed: front row" in files["timeline.csv"]
