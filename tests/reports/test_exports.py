import csv
import datetime
import io
import os
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.models import Role
from casework.models import ConfidentialNote
from common.csv_export import safe_cell
from config.celery import app as celery_app
from reports import services
from reports.models import ExportStatus, ReportExport
from tests import factories as f

URL = reverse("reports:export")
TERM = {"date_from": "2026-07-01", "date_to": "2026-12-31"}


@pytest.fixture(autouse=True)
def eager_celery(settings, tmp_path):
    """Background exports run in-process here, also where a broker is set,
    and their files go to a temporary folder."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path
    yield
    celery_app.conf.task_always_eager = eager


def read_csv(response, delimiter=","):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def read_xlsx(content):
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def get(client, **params):
    return client.get(URL, {**TERM, **params})


def as_dict(rows):
    return {row[0]: row[1] for row in rows[1:]}


def test_indicators_csv(data, login):
    response = get(login(data.world.vp), format="csv", dataset="indicators")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="sinergi-indicators-20260701-20261231.csv"'
    rows = read_csv(response)
    assert rows[0] == ["Indicator", "Value", "Unit", "Explanation"]
    values = as_dict(rows)
    assert values["From"] == "2026-07-01" and values["To"] == "2026-12-31"
    assert values["Referrals received"] == "8"
    assert values["Median time to triage"] == "1"
    assert values["Time to triage for 9 in 10 referrals"] == "3.1"
    assert values["Teachers who got feedback"] == "71.4"
    assert values["Cases closed as: Improved"] == "1"
    assert values["Open cases led by Dewi Kartika"] == "2"


def test_indicators_csv_applies_the_filters(data, login):
    rows = read_csv(get(login(data.world.vp), format="csv", dataset="indicators", grade="8"))
    values = as_dict(rows)
    assert values["Grade"] == "8"
    assert values["Referrals received"] == "3"


def test_indicators_xlsx(data, login):
    response = get(login(data.world.vp), format="xlsx", dataset="indicators", subject=str(data.world.maths.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheets = read_xlsx(response.content)
    assert list(sheets) == ["Indicators", "Filters"]
    values = as_dict(sheets["Indicators"])
    assert values["Referrals received"] == 5  # a number, not text
    assert values["Open cases"] == 1
    assert as_dict(sheets["Filters"])["Subject"] == "Matematika"


def test_cases_csv(data, login):
    response = get(login(data.world.vp), format="csv", dataset="cases")
    rows = read_csv(response)
    assert rows[0] == [
        "Case",
        "Student",
        "Class",
        "Concerns",
        "Status",
        "Opened",
        "Closed",
        "Lead counselor",
        "Outcome",
    ]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {c.number for c in (data.c1, data.c2, data.c3, data.c5)}
    assert by_number[data.c1.number][1:] == [
        "Andi Pratama",
        "VII-A",
        "Low achievement, Attendance",
        "Active",
        "2026-11-03",
        "",
        "Dewi Kartika",
        "",
    ]
    assert by_number[data.c2.number][5:] == ["2026-11-13", "2026-11-18", "Agus Salim", "Improved"]
    # The reopened case shows no closing date.
    assert by_number[data.c3.number][4:7] == ["Monitoring", "2026-09-01", ""]


def test_cases_xlsx_applies_filters(data, login):
    response = get(login(data.world.vp), format="xlsx", dataset="cases", classroom=str(data.world.class_b.pk))
    rows = read_xlsx(response.content)["Cases"]
    assert [row[1] for row in rows[1:]] == ["Sekar", "Eka"]
    assert rows[1][5] == datetime.datetime(2026, 11, 13)


def test_headers_are_in_the_users_language(data, login):
    w = data.world
    w.vp.language = "id"
    w.vp.save()
    with translation.override("id"):
        expected = [gettext(h) for h in ["Indicator", "Value", "Unit", "Explanation"]]
        expected_cases = [gettext("Case"), gettext("Student"), gettext("Class")]
        sheet = gettext("Cases")
    client = login(w.vp)
    assert read_csv(get(client, format="csv", dataset="indicators"), delimiter=";")[0] == expected
    assert read_xlsx(get(client, format="xlsx", dataset="cases").content)[sheet][0][:3] == expected_cases


def test_formulas_are_neutralised(data, login):
    w = data.world
    w.student_a.full_name = '=HYPERLINK("http://evil","x")'
    w.student_a.save()
    w.student_b.full_name = "@SUM(A1)"
    w.student_b.save()
    client = login(w.vp)
    names = {row[1] for row in read_csv(get(client, format="csv", dataset="cases"))[1:]}
    assert '\'=HYPERLINK("http://evil","x")' in names and "'@SUM(A1)" in names
    rows = read_xlsx(get(client, format="xlsx", dataset="cases").content)["Cases"]
    assert '\'=HYPERLINK("http://evil","x")' in {row[1] for row in rows}


def test_csv_in_indonesian_uses_semicolons_and_decimal_commas(data, login):
    w = data.world
    w.vp.language = "id"
    w.vp.save()
    client = login(w.vp)
    response = get(client, format="csv", dataset="indicators")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert all(len(row) == 4 for row in rows)
    with translation.override("id"):
        p90, feedback = gettext("Time to triage for 9 in 10 referrals"), gettext("Teachers who got feedback")
    values = as_dict(rows)
    assert values[p90] == "3,1" and values[feedback] == "71,4"
    cases = read_csv(get(client, format="csv", dataset="cases"), delimiter=";")
    assert all(len(row) == 9 for row in cases)
    assert {row[1] for row in cases[1:]} >= {"Andi Pratama", "Sekar"}


def test_csv_in_english_uses_commas_and_decimal_points(data, login):
    response = get(login(data.world.vp), format="csv", dataset="indicators")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffIndicator,Value,Unit,Explanation\r\n")
    assert as_dict(read_csv(response_of(body)))["Time to triage for 9 in 10 referrals"] == "3.1"


def response_of(text):
    """A stand-in response holding already read text, for read_csv."""
    return mock.Mock(streaming=False, content=text.encode("utf-8"))


def test_background_csv_export_is_in_the_users_style(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 1
    data.world.vp.language = "id"
    data.world.vp.save()
    with django_capture_on_commit_callbacks(execute=True):
        get(login(data.world.vp), format="csv", dataset="cases")
    content = ReportExport.objects.get().file.read()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert all(len(row) == 9 for row in rows)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "\ufeffa;1,5;2026-11-03;'=x\r\n"), ("en", "\ufeffa,1.5,2026-11-03,'=x\r\n"), ("fr", None)],
)
def test_csv_lines_follow_the_language(language, expected):
    from common.csv_export import csv_lines

    rows = [["a", 1.5, datetime.date(2026, 11, 3), "=x"]]
    text = b"".join(csv_lines(rows, language=language)).decode("utf-8")
    assert text == (expected or "\ufeffa,1.5,2026-11-03,'=x\r\n")
    with translation.override(language):
        assert b"".join(csv_lines(rows)).decode("utf-8") == text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_safe_cell(text):
    assert safe_cell(text) == "'" + text


def test_safe_cell_leaves_other_values():
    assert safe_cell("Andi") == "Andi"
    assert safe_cell(-3) == -3
    assert safe_cell("") == ""


def test_suppression(data, login):
    client = login(data.world.vp)
    values = as_dict(read_csv(get(client, format="csv", dataset="indicators", suppress="1")))
    assert values["Referrals received"] == "8"  # 5 or more: shown
    assert values["Open cases"] == "<5"  # 2
    assert values["Cases closed as: Resolved"] == "0"  # zero stays zero
    assert values["Cases closed as: Improved"] == "<5"
    assert values["Teachers who got feedback"] == "71.4"  # 5 of 7
    assert values["Triaged within 3 school days"] == "<5"  # 3 of 5: the 3 could be worked out
    assert values["Small numbers"] == "Counts under 5 are shown as <5"
    sheets = read_xlsx(get(client, format="xlsx", dataset="indicators", suppress="1").content)
    assert as_dict(sheets["Indicators"])["Closed as resolved or improved"] == "<5"


def test_case_list_is_not_exported_for_sharing_outside(data, login):
    response = get(login(data.world.vp), format="csv", dataset="cases", suppress="1")
    assert response.status_code == 302
    page = login(data.world.vp).get(response["Location"])
    assert "cannot be exported for sharing outside the school" in page.content.decode()


@pytest.mark.parametrize("params", [{"format": "pdf", "dataset": "cases"}, {"format": "csv", "dataset": "notes"}, {}])
def test_bad_export_requests_go_back_with_a_message(data, login, params):
    client = login(data.world.vp)
    response = get(client, **params)
    assert response.status_code == 302
    assert "Choose CSV or XLSX" in client.get(response["Location"]).content.decode()


def test_bad_filters_go_back_to_the_form(data, login):
    client = login(data.world.vp)
    response = client.get(
        URL, {"format": "csv", "dataset": "indicators", "date_from": "2026-12-31", "date_to": "2026-01-01"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The end date must be on or after the start date." in page


def test_never_exports_confidential_notes(data, login, settings, django_capture_on_commit_callbacks):
    sentinel = "RAHASIA-SENTINEL-4412"
    ConfidentialNote.objects.create(case=data.c1, author=data.world.counselor, body=sentinel)
    client = login(data.world.vp)
    for dataset in ("indicators", "cases"):
        assert sentinel.encode() not in b"".join(get(client, format="csv", dataset=dataset).streaming_content)
        assert sentinel.encode() not in get(client, format="xlsx", dataset=dataset).content
    settings.REPORTS_STREAM_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        get(client, format="csv", dataset="cases")
    job = ReportExport.objects.get()
    assert sentinel.encode() not in job.file.read()


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "admin"])
def test_it_requires_the_vice_principal_role(world, login, role):
    assert get(login(world.roles[role]), format="csv", dataset="indicators").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, world):
    assert get(client, format="csv", dataset="indicators").status_code == 302


# Large exports: built by the Celery task.


def test_large_export_runs_in_the_background(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 3  # 4 cases
    client = login(data.world.vp)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = get(client, format="xlsx", dataset="cases")
    assert len(callbacks) == 1
    job = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_status", args=[job.pk])
    assert (job.status, job.progress, job.requested_by) == (ExportStatus.DONE, 100, data.world.vp)
    assert job.params == {"dataset": "cases", "format": "xlsx", "filters": TERM}

    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Download the file" in text and 'http-equiv="refresh"' not in text

    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert 'filename="sinergi-cases-20260701-20261231.xlsx"' in download["Content-Disposition"]
    rows = read_xlsx(b"".join(download.streaming_content))["Cases"]
    assert len(rows) == 1 + 4


def test_background_csv_export_with_filters(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 1
    client = login(data.world.vp)
    with django_capture_on_commit_callbacks(execute=True):
        get(client, format="csv", dataset="cases", grade="8")
    job = ReportExport.objects.get()
    text = job.file.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[1] for row in rows[1:]] == ["Sekar", "Eka"]


def test_pending_export_page_refreshes_and_shows_progress(data, login):
    job = ReportExport.objects.create(
        school=data.world.school, requested_by=data.world.vp, params={"filters": TERM}, progress=40
    )
    text = login(data.world.vp).get(reverse("reports:export_status", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in text
    assert 'value="40"' in text and "40% done" in text
    assert login(data.world.vp).get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_only_the_requester_sees_an_export(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        get(login(data.world.vp), format="csv", dataset="cases")
    job = ReportExport.objects.get()
    other_vp = f.staff(data.world.school, "vp2", Role.VICE_PRINCIPAL)
    for name in ("reports:export_status", "reports:export_download"):
        url = reverse(name, args=[job.pk])
        assert login(other_vp).get(url).status_code == 404
        assert login(data.world.outsider).get(url).status_code == 404
        assert login(data.world.counselor).get(url).status_code == 403
        assert login(data.world.vp).get(url).status_code == 200


def test_export_fails_cleanly_when_the_user_lost_the_role(world):
    job = ReportExport.objects.create(
        school=world.school,
        requested_by=world.teacher,
        params={"dataset": "cases", "format": "csv", "filters": TERM},
    )
    services.report_export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file


def test_a_second_delivery_does_not_build_again(data):
    job = ReportExport.objects.create(
        school=data.world.school,
        requested_by=data.world.vp,
        params={"dataset": "indicators", "format": "csv", "filters": TERM},
    )
    services.report_export_build(export_id=job.pk)
    job.refresh_from_db()
    first = job.file.name
    services.report_export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file.name == first


def test_old_exports_are_removed(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 1
    client = login(data.world.vp)
    with django_capture_on_commit_callbacks(execute=True):
        get(client, format="csv", dataset="cases")
    old = ReportExport.objects.get()
    path = old.file.path
    ReportExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        get(client, format="csv", dataset="cases")
    assert not ReportExport.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)


def test_another_school_exports_only_its_own(data, login):
    client = login(data.world.outsider)
    values = as_dict(read_csv(get(client, format="csv", dataset="indicators")))
    assert values["Referrals received"] == "1"  # their own R9 only
    names = {row[1] for row in read_csv(get(client, format="csv", dataset="cases"))[1:]}
    assert names == {"Orang Lain"}


def test_purge_task_removes_every_schools_old_exports(data):
    from reports.tasks import purge_old_exports

    old = ReportExport.objects.create(school=data.world.school, requested_by=data.world.vp, params={})
    fresh = ReportExport.objects.create(school=data.world.other_school, requested_by=data.world.outsider, params={})
    ReportExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    purge_old_exports()
    assert list(ReportExport.objects.all()) == [fresh]


# A broker that is down, a worker that died: nothing hangs, nothing is a 500.


def test_a_broker_that_is_down_leaves_the_export_for_the_sweep(
    data, login, settings, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from reports.tasks import build_export

    settings.REPORTS_STREAM_MAX_ROWS = 1
    client = login(data.world.vp)
    celery_app.conf.task_always_eager = False  # as with CELERY_BROKER_URL set
    error = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(build_export, "apply_async", side_effect=error),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = get(client, format="csv", dataset="cases")
    job = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:export_status", args=[job.pk])
    assert job.status == ExportStatus.PENDING
    assert "% done" in client.get(response["Location"]).content.decode()

    # Too fresh for the sweep; two minutes later, with the broker back, it is built.
    assert services.report_exports_sweep() == (0, 0)
    celery_app.conf.task_always_eager = True
    assert services.report_exports_sweep(now=timezone.now() + datetime.timedelta(minutes=3)) == (1, 0)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file


def test_an_export_whose_worker_died_is_marked_failed(data, login):
    job = ReportExport.objects.create(
        school=data.world.school,
        requested_by=data.world.vp,
        params={"dataset": "cases", "format": "csv", "filters": TERM},
        status=ExportStatus.RUNNING,
        progress=30,
    )
    assert services.report_exports_sweep() == (0, 0)  # still building
    later = timezone.now() + datetime.timedelta(hours=2)
    assert services.report_exports_sweep(now=later) == (0, 1)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    page = login(data.world.vp).get(reverse("reports:export_status", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page


def test_beat_sweeps_and_purges_exports(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.tasks.sweep_exports", "reports.tasks.purge_old_exports"} <= tasks
    assert celery_app.tasks["reports.tasks.sweep_exports"]
    assert celery_app.tasks["reports.tasks.purge_old_exports"]
