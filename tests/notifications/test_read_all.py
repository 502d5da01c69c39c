import pytest

from notifications.models import Notification, NotificationKind

URL = "/notifications/read-all/"


def _unread(world, user, school=None):
    return Notification.objects.create(
        school=school or world.school,
        recipient=user,
        kind=NotificationKind.CASE_STATUS,
        label="2026-0001",
        url="/cases/1/",
    )


def test_it_requires_sign_in(client):
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_rejects_get(world, login):
    assert login(world.teacher).get(URL).status_code == 405


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "vp", "admin"])
def test_it_marks_only_my_notifications_read(world, login, role):
    user = world.roles[role]
    mine = [_unread(world, user), _unread(world, user)]
    someone_else = _unread(world, world.counselor2)
    response = login(user).post(URL, follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    assert "All notifications are marked as read." in response.content.decode()
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    someone_else.refresh_from_db()
    assert someone_else.read_at is None


def test_an_outsider_cannot_touch_this_school_s_notifications(world, login):
    here = _unread(world, world.teacher)
    there = _unread(world, world.outsider, school=world.other_school)
    login(world.outsider).post(URL)
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.read_at is None
    assert there.read_at is not None
