import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from referrals import services
from referrals.models import Referral, Since, Status
from tests import factories as f
from tests.referrals.factories import ReferralFactory, category

pytestmark = pytest.mark.django_db

URL = reverse("referrals:list")


def file(world, student, by):
    return services.referral_submit(
        school=world.school,
        actor=by,
        student=student,
        categories=[category(world.school)],
        observation="Observation",
        observed_since=Since.WEEKS,
    )


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "vp"])
def test_teachers_see_their_page(login, world, role):
    response = login(world.roles[role]).get(URL)
    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    assert f'href="{reverse("referrals:new")}"' in response.text
    assert "Refer a student" in response.text


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_other_roles_are_refused(login, world, role):
    assert login(world.roles[role]).get(URL).status_code == 403


def test_teacher_home_is_this_page(login, world):
    response = login(world.teacher).get("/")
    assert response["Location"] == URL


def test_lists_only_my_referrals_newest_first_with_status_and_feedback(login, world):
    old = file(world, world.student_a, world.teacher)
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    new = file(world, world.student_b, world.teacher)
    file(world, world.student_a, world.homeroom)  # someone else's
    ReferralFactory(student=world.other_student, referred_by=world.outsider)  # another school
    services.referral_decline(referral=old, actor=world.counselor, reason="Handled in class: try pair work.")

    response = login(world.teacher).get(URL)
    text = response.text
    assert text.count('class="card mb-2"') == 2
    assert text.index(f"/referrals/{new.pk}/") < text.index(f"/referrals/{old.pk}/")
    assert "Declined" in text and "Submitted" in text
    assert "Handled in class: try pair work." in text
    assert "Orang Lain" not in text


def test_outsider_sees_none_of_ours(login, world):
    file(world, world.student_a, world.teacher)
    response = login(world.outsider).get(URL)
    assert response.status_code == 200
    assert "Andi Pratama" not in response.text
    assert "You have not referred any student yet." in response.text


def test_accepted_referral_shows_the_case(login, world):
    referral = casework_services.referral_accept(
        referral=file(world, world.student_a, world.teacher), actor=world.counselor
    )
    response = login(world.teacher).get(URL)
    assert f"Case {referral.case.number}" in response.text
    assert "Accepted" in response.text


def test_pending_input_requests_are_listed(login, world):
    referral = file(world, world.student_a, world.homeroom)
    [request] = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.teacher])
    response = login(world.teacher).get(URL)
    assert "Counselors ask for your view" in response.text
    assert reverse("referrals:input", args=[request.pk]) in response.text
    assert "How is Andi Pratama (VII-A) in your class?" in response.text


def _bulk(world, n):
    students = f.StudentFactory.create_batch(3, school=world.school, classroom=world.class_a)
    cats = [category(world.school), category(world.school, "attention")]
    rows = Referral.objects.bulk_create(
        [
            Referral(
                school=world.school,
                student=students[i % 3],
                referred_by=world.teacher,
                observation="o",
                observed_since=Since.WEEKS,
                status=list(Status)[i % 5],
                latest_feedback="feedback" if i % 2 else "",
                decline_reason="reason",
            )
            for i in range(n)
        ]
    )
    through = Referral.categories.through
    through.objects.bulk_create(
        [through(referral_id=r.pk, concerncategory_id=c.pk) for r in rows for c in cats], batch_size=500
    )


@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_does_not_grow(login, world, django_assert_num_queries, n):
    _bulk(world, n)
    client = login(world.teacher)
    client.get(URL)  # warm the session
    # Session, user, the request's savepoint and its release (ATOMIC_REQUESTS),
    # memberships (the actor), the page count, pending input requests, the
    # unread-notification count (menu), the page of referrals (with student,
    # class and case joined), their categories.
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.status_code == 200


QUERIES = 10
