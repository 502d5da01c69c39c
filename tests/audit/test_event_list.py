"""/audit/: counselors and the vice principal read the audit of the referrals
and cases they may see; the school admin reads the rest; teachers may not."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.policy import Actor
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record, audit_sign_in_event
from tests.audit import factories as af

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


def _request(user):
    request = RequestFactory().get("/x/", REMOTE_ADDR="203.0.113.9")
    request.user = user
    request.actor = Actor(user)
    return request


@pytest.fixture
def trail(world):
    """A referral and a case viewed by a teacher, a sign-in, a refused page,
    and the same kinds of events at the other school."""
    referral = af.referral(world.student_a, world.teacher)
    case = af.case(world.student_b, world.counselor2)
    audit_record(request=_request(world.teacher), action=AuditAction.VIEW, obj=referral)
    audit_record(
        request=_request(world.homeroom), action=AuditAction.DOWNLOAD, obj=af.attachment(referral, world.teacher)
    )
    audit_record(request=_request(world.vp), action=AuditAction.VIEW, obj=case)
    audit_sign_in_event(request=_request(world.counselor), action=AuditAction.LOGIN, user=world.counselor)
    audit_record(request=_request(world.teacher), action=AuditAction.ACCESS_DENIED)
    audit_record(
        request=_request(world.admin), action=AuditAction.CHANGE, obj=world.student_b, detail={"fields": ["nisn"]}
    )

    other_referral = af.referral(world.other_student, world.outsider)
    audit_record(request=_request(world.outsider), action=AuditAction.VIEW, obj=other_referral)
    audit_sign_in_event(request=_request(world.outsider), action=AuditAction.LOGIN, user=world.outsider)
    return world


def _rows(response):
    return [(e.action, e.object_type, e.actor_username) for e in response.context["page"].object_list]


def test_anonymous_is_sent_to_sign_in(client, trail):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom"])
def test_teachers_may_not_read_the_trail(login, trail, role):
    assert login(trail.roles[role]).get(URL).status_code == 403


@pytest.mark.parametrize("role", ["counselor", "vp"])
def test_counselors_and_the_vp_read_the_audit_of_referrals_and_cases(login, trail, role):
    response = login(trail.roles[role]).get(URL)
    assert response.status_code == 200
    assert sorted(_rows(response)) == sorted(
        [("view", "referral", "teacher"), ("download", "attachment", "homeroom"), ("view", "case", "vp")]
    )
    assert "Andi Pratama" in response.text and "Sekar" in response.text
    assert "Downloaded" in response.text and "203.0.113.9" in response.text


def test_the_school_admin_reads_the_rest(login, trail):
    response = login(trail.admin).get(URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert ("login", "", "counselor") in rows
    assert ("access_denied", "", "teacher") in rows
    assert ("change", "student", "admin") in rows
    assert not [row for row in rows if row[1] in ("referral", "case", "attachment")]


def test_another_schools_staff_see_nothing_of_this_school(login, trail):
    response = login(trail.outsider).get(URL)
    assert response.status_code == 200
    usernames = {row[2] for row in _rows(response)}
    # The outsider's own sign-ins and referral views only (their own school).
    assert usernames <= {"outsider"}
    assert "Andi Pratama" not in response.text


def test_filter_by_action(login, trail):
    response = login(trail.counselor).get(URL, {"action": "download"})
    assert _rows(response) == [("download", "attachment", "homeroom")]


def test_bad_filter_input_is_not_an_error(login, trail):
    response = login(trail.counselor).get(URL, {"action": "nonsense", "page": "abc"})
    assert response.status_code == 200


def test_pages_of_fifty(login, world):
    case = af.case(world.student_a, world.counselor)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                school=world.school,
                action=AuditAction.VIEW,
                object_type="case",
                object_id=str(case.pk),
                case_id=case.pk,
            )
            for _ in range(60)
        ]
    )
    client = login(world.counselor)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 50
    # No total (the trail is not counted, see common.paging): the page's
    # number, the rows it shows, and an Older link because more follow.
    assert "Page 1<" in first.text and "Page 1 of" not in first.text
    assert "Events 1–50, newest first" in first.text
    assert first.context["page"].has_next()
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 10
    assert not second.context["page"].has_next() and second.context["page"].has_previous()
    assert "Events 51–60, newest first" in second.text


@pytest.mark.parametrize("asked", ["99", "0", "-3", "two", "", "1000001", "9" * 30])
def test_a_page_past_the_end_or_not_a_number_is_the_first(login, world, asked):
    case = af.case(world.student_a, world.counselor)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(school=world.school, action=AuditAction.VIEW, object_type="case", case_id=case.pk)
            for _ in range(3)
        ]
    )
    response = login(world.counselor).get(URL, {"page": asked})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == 1 and len(page.object_list) == 3 and not page.has_other_pages()


def test_the_school_s_events_of_a_record_since_gone_stay_in_the_trail(login, world):
    """The trail outlives the records it names: a counselor still reads the
    events of a referral or case that no longer exists, at their school only."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(school=world.school, action=AuditAction.VIEW, object_type="referral", referral_id=999_999),
            AuditEvent(school=world.other_school, action=AuditAction.VIEW, object_type="case", case_id=999_998),
        ]
    )
    ids = [(e.referral_id, e.case_id) for e in login(world.counselor).get(URL).context["page"].object_list]
    assert (999_999, None) in ids and (None, 999_998) not in ids


@pytest.mark.parametrize("size", [3, 120])
def test_query_count_does_not_grow(login, world, django_assert_num_queries, size):
    referral = af.referral(world.student_a, world.teacher)
    case = af.case(world.student_a, world.counselor)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                school=world.school,
                action=AuditAction.VIEW,
                object_type="referral" if i % 2 else "case",
                object_id=str(referral.pk if i % 2 else case.pk),
                referral_id=referral.pk if i % 2 else None,
                case_id=None if i % 2 else case.pk,
                student=world.student_a,
                actor_username="teacher",
                actor_roles="teacher",
            )
            for i in range(size)
        ]
    )
    client = login(world.counselor)
    # 7 queries: session, user, the actor's memberships, savepoint and its
    # release (ATOMIC_REQUESTS inside the test's transaction), the page of
    # events with their students (one row more than shown, no count), the
    # unread-notifications badge. No 2FA device query (REQUIRE_2FA off), no
    # session write (last activity is written at most once a minute).
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize(("role", "shown"), [("teacher", False), ("counselor", True), ("vp", True), ("admin", True)])
def test_the_menu_links_to_the_trail_for_those_who_may_read_it(login, world, role, shown):
    page = login(world.roles[role]).get(reverse("profile"))
    assert ('href="/audit/"' in page.text) is shown


def test_events_for_one_case_for_a_who_looked_panel(trail):
    from audit.selectors import events_for_record
    from casework.models import Case

    case = Case.objects.get(student=trail.student_b)
    assert [e.actor_username for e in events_for_record(Actor(trail.counselor), case=case)] == ["vp"]
    assert list(events_for_record(Actor(trail.admin), case=case)) == []
    assert list(events_for_record(Actor(trail.outsider), case=case)) == []
