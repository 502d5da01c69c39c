"""The per-referral table of /reports/: in the page and in both exports."""

import datetime

import pytest
from django.urls import reverse

from reports import views
from reports.models import ReportExport
from tests.reports.test_exports import eager_celery, read_csv, read_xlsx  # noqa: F401 (fixture)

URL = reverse("reports:index")
EXPORT = reverse("reports:export")
TERM = {"date_from": "2026-07-01", "date_to": "2026-12-31"}
HEADER = [
    "Referral",
    "Filed",
    "Class",
    "Concerns",
    "Urgency",
    "School days to triage",
    "Decision",
    "Case",
    "Case status",
    "Outcome",
]


def test_the_page_lists_each_referral(data, login):
    response = login(data.world.vp).get(URL, TERM)
    page = response.context["referrals_page"]
    # The period's eight referrals in the school, newest first; none of
    # another school's, none filed before the period.
    assert [r.pk for r in page] == [
        r.pk for r in (data.r5, data.r4, data.r3, data.r2, data.r7, data.r6, data.r1, data.r10)
    ]
    text = response.content.decode()
    assert 'id="referrals-heading"' in text
    detail = reverse("referrals:detail", args=[data.r3.pk])
    case = reverse("casework:detail", args=[data.c2.pk])
    row = text[text.index(f'href="{detail}"') :]
    row = row[: row.index("</tr>")]
    # Filed Monday 9 Nov, triaged Friday 13 Nov: 4 school days; the case closed as improved.
    for cell in [
        "09/11/2026",
        "VIII-B",
        "Emotional",
        "Routine",
        ">4<",
        "Accepted",
        f'href="{case}"',
        "Closed",
        "Improved",
    ]:
        assert cell in row, cell
    by_pk = {r.pk: r for r in page}
    assert by_pk[data.r10.pk].triage_days == 0  # filed on a Sunday, triaged on Monday
    assert by_pk[data.r1.pk].triage_days == 1
    assert by_pk[data.r4.pk].triage_days is None  # still waiting
    assert data.r9.pk not in by_pk and data.r8.pk not in by_pk


def test_the_filters_apply(data, login):
    page = login(data.world.vp).get(URL, {**TERM, "grade": "8"}).context["referrals_page"]
    assert {r.pk for r in page} == {data.r3.pk, data.r4.pk, data.r7.pk}
    page = login(data.world.vp).get(URL, {**TERM, "subject": str(data.world.maths.pk)}).context["referrals_page"]
    assert {r.pk for r in page} == {data.r1.pk, data.r3.pk, data.r5.pk, data.r6.pk, data.r7.pk}


def test_it_is_paginated_with_its_own_parameter(data, login, monkeypatch):
    monkeypatch.setattr(views, "REFERRALS_PER_PAGE", 3)
    client = login(data.world.vp)
    response = client.get(URL, {**TERM, "page": "1"})
    text = response.content.decode()
    assert "Pages of the referral list" in text
    assert "referrals_page=2" in text
    second = client.get(URL, {**TERM, views.REFERRALS_PAGE_PARAM: "2"})
    assert second.context["referrals_page"].number == 2
    assert [r.pk for r in second.context["referrals_page"]] == [data.r2.pk, data.r7.pk, data.r6.pk]
    # The case list keeps its own page.
    assert second.context["cases_page"].number == 1


def test_bad_page_numbers_are_not_errors(data, login):
    response = login(data.world.vp).get(URL, {**TERM, views.REFERRALS_PAGE_PARAM: "x'--"})
    assert response.status_code == 200
    assert response.context["referrals_page"].number == 1


def test_it_is_left_out_when_counts_are_hidden(data, login):
    client = login(data.world.vp)
    response = client.get(URL, {**TERM, "suppress": "1"})
    assert "referrals_page" not in response.context
    assert "Referral list (CSV)" not in response.content.decode()
    exported = client.get(EXPORT, {**TERM, "suppress": "1", "format": "csv", "dataset": "referrals"})
    assert exported.status_code == 302
    assert "referral list cannot be exported" in client.get(exported["Location"]).content.decode()


def test_csv_export(data, login):
    response = login(data.world.vp).get(EXPORT, {**TERM, "format": "csv", "dataset": "referrals"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sinergi-referrals-20260701-20261231.csv"'
    rows = read_csv(response)
    assert rows[0] == HEADER
    by_pk = {row[0]: row for row in rows[1:]}
    assert len(by_pk) == 8
    assert by_pk[str(data.r3.pk)][1:] == [
        "2026-11-09",
        "VIII-B",
        "Emotional",
        "Routine",
        "4",
        "Accepted",
        data.c2.number,
        "Closed",
        "Improved",
    ]
    assert by_pk[str(data.r4.pk)][5:] == ["", "Submitted", "", "", ""]
    assert by_pk[str(data.r1.pk)][3] == "Low achievement, Attendance"
    assert by_pk[str(data.r1.pk)][7:] == [data.c1.number, "Active", ""]


def test_xlsx_export_keeps_numbers_and_dates(data, login):
    response = login(data.world.vp).get(
        EXPORT, {**TERM, "format": "xlsx", "dataset": "referrals", "classroom": str(data.world.class_b.pk)}
    )
    rows = read_xlsx(response.content)["Referrals"]
    assert rows[0] == HEADER
    by_pk = {row[0]: row for row in rows[1:]}
    assert set(by_pk) == {data.r3.pk, data.r4.pk, data.r7.pk}
    assert by_pk[data.r3.pk][1] == datetime.datetime(2026, 11, 9)
    assert by_pk[data.r3.pk][5] == 4


def test_formulas_are_neutralised(data, login):
    data.world.class_b.name = '=HYPERLINK("http://evil","x")'
    data.world.class_b.save()
    client = login(data.world.vp)
    rows = read_csv(client.get(EXPORT, {**TERM, "format": "csv", "dataset": "referrals"}))
    assert '\'=HYPERLINK("http://evil","x")' in {row[2] for row in rows}
    rows = read_xlsx(client.get(EXPORT, {**TERM, "format": "xlsx", "dataset": "referrals"}).content)["Referrals"]
    assert '\'=HYPERLINK("http://evil","x")' in {row[2] for row in rows}


def test_long_exports_are_built_in_the_background(data, login, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STREAM_MAX_ROWS = 1
    client = login(data.world.vp)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {**TERM, "format": "xlsx", "dataset": "referrals"})
    job = ReportExport.objects.get()
    assert response["Location"] == reverse("reports:export_status", args=[job.pk])
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    rows = read_xlsx(b"".join(download.streaming_content))["Referrals"]
    assert len(rows) == 1 + 8


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "admin"])
def test_only_the_vice_principal_exports_it(data, login, role):
    user = getattr(data.world, role)
    response = login(user).get(EXPORT, {**TERM, "format": "csv", "dataset": "referrals"})
    assert response.status_code == 403


def test_another_schools_vice_principal_sees_only_their_own(data, login):
    from accounts.models import Role
    from tests import factories as f

    other_vp = f.staff(data.world.other_school, "vp_other", Role.VICE_PRINCIPAL)
    rows = read_csv(login(other_vp).get(EXPORT, {**TERM, "format": "csv", "dataset": "referrals"}))
    assert [row[0] for row in rows[1:]] == [str(data.r9.pk)]


def test_anonymous_is_sent_to_sign_in(client, data):
    response = client.get(EXPORT, {**TERM, "format": "csv", "dataset": "referrals"})
    assert response.status_code == 302 and "login" in response["Location"]
