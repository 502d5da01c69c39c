import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import selectors, services
from referrals.models import Referral, Since, Status, Urgency
from roster.models import Holiday
from roster.schooldays import SchoolCalendar
from tests import factories as f
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db

URL = reverse("referrals:triage")


def file(world, *, student=None, urgency=Urgency.ROUTINE, days_ago=0, code="low_achievement", by=None):
    referral = services.referral_submit(
        school=world.school,
        actor=by or world.teacher,
        student=student or world.student_a,
        categories=[category(world.school, code)],
        observation="o",
        observed_since=Since.WEEKS,
        urgency=urgency,
    )
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Referral.objects.filter(pk=referral.pk).update(created_at=when, submitted_at=when)
    return referral


def rows(response):
    """Referral ids in the order the queue shows them."""
    return [r.pk for r in response.context["rows"]]


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "vp", "admin"])
def test_only_counselors_triage(login, world, role):
    assert login(world.roles[role]).get(URL).status_code == 403


def test_counselor_of_another_school_sees_none_of_ours(login, world):
    file(world)
    response = login(world.outsider).get(URL, {"status": ""})
    assert response.status_code == 200
    assert rows(response) == []
    assert "Andi Pratama" not in response.text


def test_default_is_waiting_referrals_in_my_classes_urgent_first_then_oldest(login, world):
    routine_old = file(world, days_ago=10)
    routine_older = file(world, days_ago=20)
    urgent = file(world, urgency=Urgency.URGENT)
    priority = file(world, urgency=Urgency.PRIORITY, days_ago=2)
    other_class = file(world, student=world.student_b, urgency=Urgency.URGENT)
    decided = file(world, days_ago=5)
    services.referral_decline(referral=decided, actor=world.counselor, reason="No")

    response = login(world.counselor).get(URL)
    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    assert rows(response) == [urgent.pk, priority.pk, routine_older.pk, routine_old.pk]
    # counselor2 covers VIII-B
    assert rows(login(world.counselor2).get(URL)) == [other_class.pk]


def test_each_row_shows_what_triage_needs(login, world):
    file(world, urgency=Urgency.URGENT, code="emotional")
    text = login(world.counselor).get(URL).text
    assert "Andi Pratama" in text
    assert "VII-A" in text
    assert "Sri Wahyuni" in text
    assert "Emotional" in text
    assert "Urgent" in text


def test_referrals_waiting_more_than_3_school_days_are_highlighted(login, world):
    old = file(world, days_ago=30)
    file(world)
    response = login(world.counselor).get(URL)
    [first, second] = response.context["rows"]
    assert first.pk == old.pk and first.overdue and first.age > 3
    assert not second.overdue and second.age == 0
    assert response.text.count("Overdue") == 2  # under the name on phones, in its column on wider screens
    assert response.text.count('class="table-warning"') == 1


def test_age_counts_school_days_without_weekends_and_holidays(world):
    # Friday 6 Nov 2026 to Thursday 12 Nov: Mon, Tue, Wed, Thu = 4 school days.
    friday = datetime.datetime(2026, 11, 6, 9, tzinfo=datetime.UTC)
    referral = Referral(school=world.school, submitted_at=friday, status=Status.SUBMITTED)
    thursday = datetime.date(2026, 11, 12)
    calendar = SchoolCalendar(world.school)
    assert selectors.age_in_school_days(referral, calendar, thursday) == 4
    assert selectors.is_overdue(referral, calendar, thursday)
    assert selectors.triage_due_on(referral, calendar) == datetime.date(2026, 11, 11)

    Holiday.objects.create(school=world.school, date=datetime.date(2026, 11, 10), name="Hari Pahlawan")
    calendar = SchoolCalendar(world.school)
    assert selectors.age_in_school_days(referral, calendar, thursday) == 3
    assert not selectors.is_overdue(referral, calendar, thursday)
    assert selectors.triage_due_on(referral, calendar) == datetime.date(2026, 11, 12)

    world.school.school_days_per_week = 6  # Saturday counts
    calendar = SchoolCalendar(world.school)
    assert selectors.age_in_school_days(referral, calendar, thursday) == 4


def test_status_counts_and_links(login, world):
    file(world)
    file(world)
    asked = file(world)
    services.referral_ask_info(referral=asked, actor=world.counselor, message="?")
    response = login(world.counselor).get(URL)
    counts = {status.value: count for status, count, _q, _current in response.context["status_links"]}
    assert counts == {"submitted": 2, "needs_info": 1, "accepted": 0, "declined": 0, "withdrawn": 0}
    assert "mine=on&amp;status=needs_info" in response.text or "status=needs_info&amp;mine=on" in response.text
    response = login(world.counselor).get(URL, {"status": "needs_info", "mine": "on"})
    assert rows(response) == [asked.pk]


def test_filters(login, world):
    student_c = f.enroll(f.StudentFactory(school=world.school, full_name="Citra"), world.class_b, world.term)
    a = file(world, code="attendance", days_ago=3)
    b = file(world, student=student_c, urgency=Urgency.URGENT, days_ago=12)
    client = login(world.counselor)
    everything = {"status": "", "urgency": "", "grade": "", "classroom": "", "category": ""}
    assert set(rows(client.get(URL, everything))) == {a.pk, b.pk}  # "mine" unticked
    assert rows(client.get(URL, {**everything, "urgency": "urgent"})) == [b.pk]
    assert rows(client.get(URL, {**everything, "grade": "7"})) == [a.pk]
    assert rows(client.get(URL, {**everything, "classroom": world.class_b.pk})) == [b.pk]
    attendance = category(world.school, "attendance").pk
    assert rows(client.get(URL, {**everything, "category": attendance})) == [a.pk]
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert rows(client.get(URL, {**everything, "filed_after": week_ago})) == [a.pk]
    assert rows(client.get(URL, {**everything, "filed_before": week_ago})) == [b.pk]
    assert set(rows(client.get(URL, {**everything, "mine": "on"}))) == {a.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"urgency": "apocalyptic"},
        {"status": "lost"},
        {"classroom": "abc"},
        {"category": "999999"},
        {"grade": "12"},
        {"filed_after": "yesterday"},
        {"page": "x"},
    ],
)
def test_bad_filter_values_are_errors_not_500(login, world, params):
    file(world)
    response = login(world.counselor).get(URL, params)
    assert response.status_code == 200
    if "page" not in params:
        assert "invalid-feedback" in response.text or "Select a valid choice" in response.text


def test_another_schools_class_is_not_a_valid_filter(login, world):
    file(world)
    response = login(world.counselor).get(URL, {"classroom": world.other_class.pk})
    assert "Select a valid choice" in response.text


def test_counselor_without_classes_sees_the_whole_school(login, world):
    world.class_a.counselor = None
    world.class_a.save()
    referral = file(world)
    response = login(world.counselor).get(URL)
    assert rows(response) == [referral.pk]
    assert "you cover no classes yet" in response.text


def _bulk(world, n):
    students = f.StudentFactory.create_batch(3, school=world.school, classroom=world.class_a)
    cats = [category(world.school), category(world.school, "attention")]
    now = timezone.now()
    made = Referral.objects.bulk_create(
        [
            Referral(
                school=world.school,
                student=students[i % 3],
                referred_by=world.teacher,
                observation="o",
                observed_since=Since.WEEKS,
                urgency=list(Urgency)[i % 3],
            )
            for i in range(n)
        ]
    )
    for i, r in enumerate(made):
        r.submitted_at = now - datetime.timedelta(days=i % 20)
    Referral.objects.bulk_update(made, ["submitted_at"], batch_size=500)
    through = Referral.categories.through
    through.objects.bulk_create(
        [through(referral_id=r.pk, concerncategory_id=c.pk) for r in made for c in cats], batch_size=500
    )


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_does_not_grow(login, world, settings, django_assert_num_queries, n, cached):
    if not cached:
        settings.REPORT_CACHE_SECONDS = 0
    _bulk(world, n)
    client = login(world.counselor)
    client.get(URL)  # warm the session
    # Session, user, the request's savepoint and its release, memberships (the
    # actor), "does the counselor cover classes", the school's classes (read
    # once for the grade and the class choices), the page count, the page of
    # referrals (student, class, teacher and case joined), their categories,
    # the holidays (once), the counts per status, the concern choices of the
    # filter form, and the unread-notification count (menu).
    # With the filter's fields from the cache (common.form_cache), no concern choices.
    with django_assert_num_queries(QUERIES_CACHED if cached else QUERIES):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n, 50)


QUERIES = 14
QUERIES_CACHED = 13


def test_status_counts_follow_the_other_filters(login, world):
    """Counted per status in one GROUP BY (selectors.status_counts), over the
    same filters as the list, whatever the status filter."""
    student_c = f.enroll(f.StudentFactory(school=world.school, full_name="Citra"), world.class_b, world.term)
    file(world, code="attendance", days_ago=3)
    asked = file(world, days_ago=2)
    services.referral_ask_info(referral=asked, actor=world.counselor, message="?")
    file(world, student=student_c, urgency=Urgency.URGENT, days_ago=12)
    client = login(world.counselor)

    def counts(params):
        response = client.get(URL, params)
        return {status.value: count for status, count, _q, _current in response.context["status_links"]}

    everything = {"status": "", "urgency": "", "grade": "", "classroom": "", "category": ""}
    none = {"accepted": 0, "declined": 0, "withdrawn": 0}
    assert counts(everything) == {"submitted": 2, "needs_info": 1, **none}
    assert counts({**everything, "mine": "on"}) == {"submitted": 1, "needs_info": 1, **none}
    assert counts({**everything, "status": "needs_info", "urgency": "urgent"}) == {
        "submitted": 1,
        "needs_info": 0,
        **none,
    }
