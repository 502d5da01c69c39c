import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from casework.models import Case, CaseStatus, ConfidentialNote, EvaluationEntry, Goal, Meeting, Outcome
from referrals.models import Referral, ReferralEvent, Status
from tests import factories as f
from tests.reports.factories import at

URL = reverse("reports:index")


def test_it_works(data, login):
    response = login(data.world.vp).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("<h1") == 1
    assert "School-wide report" in text
    for label in [
        "Referrals received",
        "Median time to triage",
        "Teachers who got feedback",
        "Open cases per counselor",
    ]:
        assert label in text
    # The case list, with the students' names.
    assert "Andi Pratama" in text and "Citra" in text
    # Charts are server-drawn SVG with a table beside each.
    assert "<svg" in text
    assert "<caption>Referrals per month by concern</caption>" in text
    assert 'scope="row"' in text
    assert "<script>" not in text


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "admin"])
def test_it_requires_the_vice_principal_role(world, login, role):
    assert login(world.roles[role]).get(URL).status_code == 403


def test_second_counselor_is_refused_too(world, login):
    assert login(world.counselor2).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_school_sees_only_its_own(data, login):
    response = login(data.world.outsider).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Andi Pratama" not in text and "Sekar" not in text
    assert "Orang Lain" in text  # their own case


def test_it_shows_the_current_term_by_default(data, login):
    response = login(data.world.vp).get(URL)
    filters = response.context["filters"]
    assert (filters.date_from, filters.date_to) == (data.world.term.starts_on, data.world.term.ends_on)
    assert "(Semester 1)" in response.content.decode()


def test_filters_apply(data, login):
    w = data.world
    response = login(w.vp).get(URL, {"grade": "8", "date_from": "2026-07-01", "date_to": "2026-12-31"})
    values = {ind.key: ind.value for ind in response.context["report"].indicators}
    assert values["referrals_received"] == 3
    text = response.content.decode()
    assert "Sekar" in text and "Andi Pratama" not in text


def test_bad_filters_are_explained_next_to_the_field(data, login):
    response = login(data.world.vp).get(URL, {"date_from": "2026-12-31", "date_to": "2026-07-01"})
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert "report" not in response.context

    response = login(data.world.vp).get(URL, {"grade": "7", "classroom": str(data.world.class_b.pk)})
    assert "Class VIII-B is not in grade 7." in response.content.decode()

    response = login(data.world.vp).get(URL, {"date_from": "not a date", "subject": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from", "subject"}


def test_suppression_hides_small_counts_and_the_case_list(data, login):
    response = login(data.world.vp).get(URL, {"suppress": "1"})
    text = response.content.decode()
    by_key = {ind.key: ind for ind in response.context["report"].indicators}
    # 8 referrals received stays; 2 open cases, 3 referring teachers become <5.
    assert by_key["referrals_received"].hidden(True) is False
    assert by_key["open_cases"].hidden(True) is True
    assert "&lt;5" in text
    assert "Andi Pratama" not in text and "cases_page" not in response.context
    assert '<svg class="report-bar"' not in text


def test_numbers_and_dates_follow_the_users_language(data, login):
    w = data.world
    w.vp.language = "id"
    w.vp.save()
    response = login(w.vp).get(URL)
    text = response.content.decode()
    # 71,4% with a decimal comma, and dates as d-m-Y.
    assert "71,4%" in text
    assert "03-11-2026" in text
    w.vp.language = "en"
    w.vp.save()
    text = login(w.vp).get(URL).content.decode()
    # English for a school in Indonesia: day first (config/formats/en).
    assert "71.4%" in text and "03/11/2026" in text


def test_case_links_lead_into_the_cases(data, login):
    text = login(data.world.vp).get(URL).content.decode()
    url = reverse("casework:detail", args=[data.c1.pk])
    assert f'href="{url}"' in text


def test_never_shows_confidential_notes(data, login):
    sentinel = "RAHASIA-SENTINEL-7731"
    ConfidentialNote.objects.create(case=data.c1, author=data.world.counselor, body=sentinel)
    text = login(data.world.vp).get(URL).content.decode()
    assert sentinel not in text


def test_print_stylesheet_and_button(data, login):
    text = login(data.world.vp).get(URL).content.decode()
    assert "css/reports-print.css" in text and 'media="print"' in text
    assert "data-report-print" in text and "js/reports.js" in text


# Query count: the same for a handful of rows and for hundreds.


def _bulk_history(world, cats, n):
    """n referrals, cases, entries, goals and meetings, built with bulk_create."""
    school = world.school
    students = []
    for i in range(n):
        students.append(
            f.StudentFactory.build(
                school=school, full_name=f"Siswa {i}", classroom=world.class_a if i % 2 else world.class_b
            )
        )
    students = type(students[0]).objects.bulk_create(students)
    base = at(2026, 8, 3)
    cases = Case.objects.bulk_create(
        Case(
            school=school,
            year=2026,
            sequence=1000 + i,
            student=student,
            lead_counselor=world.counselor if i % 2 else world.counselor2,
            status=CaseStatus.CLOSED if i % 3 == 0 else CaseStatus.ACTIVE,
            outcome=Outcome.IMPROVED if i % 3 == 0 else "",
            closed_at=base + datetime.timedelta(days=30) if i % 3 == 0 else None,
        )
        for i, student in enumerate(students)
    )
    referrals = Referral.objects.bulk_create(
        Referral(
            school=school,
            student=student,
            referred_by=world.teacher if i % 2 else world.other_teacher,
            subject=world.maths if i % 2 else None,
            observation="x",
            observed_since="weeks",
            status=Status.ACCEPTED,
            case=cases[i],
            triaged_at=base + datetime.timedelta(days=i % 9),
        )
        for i, student in enumerate(students)
    )
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(created_at=base, submitted_at=base)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(opened_at=base)
    links = Referral.categories.through
    links.objects.bulk_create(
        links(referral_id=r.pk, concerncategory_id=(cats.low if i % 2 else cats.emotional).pk)
        for i, r in enumerate(referrals)
    )
    ReferralEvent.objects.bulk_create(
        ReferralEvent(referral=r, actor=world.counselor, kind="accepted") for r in referrals
    )
    goals = Goal.objects.bulk_create(Goal(case=c, statement="g", indicator="i", baseline=50, target=70) for c in cases)
    EvaluationEntry.objects.bulk_create(
        EvaluationEntry(
            case=c,
            author=world.teacher,
            date=datetime.date(2026, 9, 1),
            goal=goals[i],
            measured_value=60,
            next_follow_up=datetime.date(2026, 9, 10),
        )
        for i, c in enumerate(cases)
    )
    Meeting.objects.bulk_create(
        Meeting(case=c, starts_at=base + datetime.timedelta(days=5), place="BK", created_by=world.counselor)
        for c in cases
    )


# 24 queries: session, user, SAVEPOINT (ATOMIC_REQUESTS), the actor's
# memberships, current term, classes, subjects and concerns (filter choices),
# holidays (school calendar); one per indicator group: referral counts, triage
# pairs, case counts, evaluation entries, meetings, goals, counselor workload;
# one per chart: month, grade, subject; the case list's count, its page and
# the page's concerns; the referral list's count, its page and the page's
# concerns; the navigation's unread-notification count; RELEASE; since issue
# #15 the measured goals of the cases closed in the period (the change in the
# measured outcome; their concerns are one more query only when there are some).
EXPECTED_QUERIES = 28


def test_query_count_is_pinned_and_does_not_grow_with_data(data, login, settings, django_assert_num_queries):
    # Computed each time (the cached page: tests/reports/test_report_cache.py).
    settings.REPORT_CACHE_SECONDS = 0
    client = login(data.world.vp)
    client.get(URL)  # warm up: content types, translations
    with django_assert_num_queries(EXPECTED_QUERIES):
        assert client.get(URL).status_code == 200
    _bulk_history(data.world, data.cats, 120)
    with django_assert_num_queries(EXPECTED_QUERIES):
        response = client.get(URL)
    values = {ind.key: ind.value for ind in response.context["report"].indicators}
    assert values["referrals_received"] == 8 + 120
    assert response.context["cases_page"].paginator.num_pages == 3
    assert response.context["referrals_page"].paginator.count == 8 + 120


def test_it_rejects_post(data, login):
    assert login(data.world.vp).post(URL).status_code == 405


def test_the_page_says_which_csv_fits_which_excel(data, login):
    w = data.world
    text = login(w.vp).get(URL).content.decode()
    assert "CSV files are written for Excel set to English: commas between the columns" in text
    w.vp.language = "id"
    w.vp.save()
    with translation.override("id"):
        hint = gettext(
            "CSV files are written for Excel set to Indonesian: semicolons between the columns and a decimal comma. "
            "If your Excel is set to English, switch this page to English before downloading, or choose Excel "
            "(XLSX), which opens right in either."
        )
    assert hint in login(w.vp).get(URL).content.decode()
