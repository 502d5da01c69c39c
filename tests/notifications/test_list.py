import pytest

from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind
from tests.factories import UserFactory

URL = "/notifications/"


def _notification(world, user, **kwargs):
    options = {"school": world.school, "recipient": user, "kind": NotificationKind.ADDED_TO_TEAM, "label": "2026-0007"}
    return Notification.objects.create(url="/cases/7/", **(options | kwargs))


def test_it_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "vp", "admin", "outsider"])
def test_every_role_sees_its_own_notifications(world, login, role):
    user = world.roles[role]
    school = world.other_school if role == "outsider" else world.school
    _notification(world, user, school=school, label="MINE-1")
    _notification(world, world.counselor2, label="SOMEONE-ELSES")
    response = login(user).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("<h1") == 1
    assert "MINE-1" in text
    assert "SOMEONE-ELSES" not in text


def test_notifications_of_another_school_are_not_shown(world, login):
    # A person who moved school does not see links into the old one.
    _notification(world, world.teacher, school=world.other_school, label="OLD-SCHOOL")
    text = login(world.teacher).get(URL).content.decode()
    assert "OLD-SCHOOL" not in text
    assert "You have no notifications yet." in text


def test_it_shows_newest_first_with_unread_marked_in_words(world, login):
    _notification(world, world.teacher, label="2026-0001")
    read = _notification(world, world.teacher, label="2026-0002", read_at="2026-09-01T10:00:00+07:00")
    _notification(world, world.teacher, kind=NotificationKind.REFERRAL_ACCEPTED, label="Referral #3")
    response = login(world.teacher).get(URL)
    text = response.content.decode()
    assert text.index("Referral #3") < text.index("2026-0002") < text.index("2026-0001")
    assert text.count(">New</span>") == 2
    assert "2 unread notifications." in text
    assert "Mark all as read" in text
    assert f'action="/notifications/{read.pk}/read/"' in text


def test_a_failed_delivery_is_visible(world, login):
    notification = _notification(world, world.teacher)
    Delivery.objects.create(notification=notification, channel="email", status=DeliveryStatus.FAILED, attempts=5)
    assert "Message outside the app not delivered" in login(world.teacher).get(URL).content.decode()


def test_it_is_paginated(world, login):
    Notification.objects.bulk_create(
        [
            Notification(
                school=world.school,
                recipient=world.teacher,
                kind=NotificationKind.CASE_STATUS,
                label=f"L-{i:03d}",
                url="/",
            )
            for i in range(45)
        ]
    )
    client = login(world.teacher)
    first = client.get(URL).content.decode()
    assert "Page 1 of 3" in first and "L-044" in first and "L-024" not in first
    last = client.get(URL + "?page=3").content.decode()
    assert "L-000" in last and "Newer" in last
    assert client.get(URL + "?page=99").status_code == 200


def test_query_count_does_not_grow_with_data(world, login, django_assert_num_queries):
    client = login(world.teacher)
    _notification(world, world.teacher)
    # 8 queries: session, user, savepoint (ATOMIC_REQUESTS), the actor's
    # memberships, the paginator's count, the unread count (bell), the page of
    # notifications (with the failed-delivery flag as a subquery), release;
    # and as the page links to a case (#12: the student's name, for who may
    # see the student): the actor's homeroom classes and the cases' students.
    with django_assert_num_queries(10):
        client.get(URL)
    others = [UserFactory() for _ in range(3)]
    rows = [
        Notification(school=world.school, recipient=user, kind=NotificationKind.CASE_STATUS, label=f"L-{i}", url="/")
        for i in range(300)
        for user in [world.teacher, *others]
    ]
    created = Notification.objects.bulk_create(rows)
    Delivery.objects.bulk_create(
        [Delivery(notification=n, channel="email", status=DeliveryStatus.FAILED) for n in created[:50]]
    )
    with django_assert_num_queries(8):
        client.get(URL)
