"""The bell in the navigation: the unread count, in words for screen readers."""

from django.contrib.auth.models import AnonymousUser

from accounts.policy import actor_for
from notifications.context_processors import unread_count
from notifications.models import Notification, NotificationKind


def _unread(world, user, n, school=None):
    Notification.objects.bulk_create(
        [
            Notification(
                school=school or world.school, recipient=user, kind=NotificationKind.CASE_STATUS, label="x", url="/"
            )
            for _ in range(n)
        ]
    )


def test_the_bell_shows_my_unread_count(world, login):
    _unread(world, world.counselor, 3)
    _unread(world, world.counselor2, 5)
    Notification.objects.create(
        school=world.school,
        recipient=world.counselor,
        kind=NotificationKind.CASE_STATUS,
        url="/",
        read_at="2026-09-01T10:00Z",
    )
    text = login(world.counselor).get("/notifications/").content.decode()
    assert "Notifications, 3 unread" in text
    assert '<span class="badge rounded-pill text-bg-warning" aria-hidden="true">3</span>' in text
    assert 'href="/notifications/"' in text


def test_with_nothing_unread_it_says_so(world, login):
    text = login(world.teacher).get("/notifications/").content.decode()
    assert "Notifications, none unread" in text
    assert "text-bg-warning" not in text


def test_the_bell_is_on_every_page(world, login):
    _unread(world, world.admin, 2)
    assert "Notifications, 2 unread" in login(world.admin).get("/roster/").content.decode()


def test_no_bell_for_anonymous_visitors(db, client, rf):
    assert "Notifications," not in client.get("/accounts/login/").content.decode()
    request = rf.get("/")
    request.user = AnonymousUser()
    assert unread_count(request) == {}


def test_the_count_is_one_query_per_request(world, rf, django_assert_num_queries):
    _unread(world, world.teacher, 4)
    _unread(world, world.teacher, 7, school=world.other_school)
    request = rf.get("/")
    request.user = world.teacher
    actor_for(request).school  # the navigation loads the actor anyway  # noqa: B018
    # 1 query: COUNT of the unread notifications on the inbox index.
    with django_assert_num_queries(1):
        assert unread_count(request) == {"unread_notifications_count": 4}
        assert unread_count(request) == {"unread_notifications_count": 4}
