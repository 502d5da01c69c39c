import pytest

from notifications.models import Notification, NotificationKind


@pytest.fixture
def notification(world):
    return Notification.objects.create(
        school=world.school,
        recipient=world.teacher,
        kind=NotificationKind.REFERRAL_ACCEPTED,
        label="Referral #3",
        url="/referrals/3/",
    )


def _url(notification):
    return f"/notifications/{notification.pk}/read/"


def test_it_requires_sign_in(client, notification):
    response = client.post(_url(notification))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_read_and_opens_the_record(world, login, notification):
    response = login(world.teacher).post(_url(notification))
    assert response.status_code == 302
    assert response["Location"] == "/referrals/3/"
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    # Opening it again keeps the first time it was read.
    login(world.teacher).post(_url(notification))
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_it_rejects_get(world, login, notification):
    assert login(world.teacher).get(_url(notification)).status_code == 405


@pytest.mark.parametrize("role", ["homeroom", "counselor", "vp", "admin", "outsider"])
def test_it_checks_ownership(world, login, notification, role):
    assert login(world.roles[role]).post(_url(notification)).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_notification_of_another_school_is_not_found(world, login, notification):
    notification.school = world.other_school
    notification.save()
    assert login(world.teacher).post(_url(notification)).status_code == 404


def test_a_link_outside_the_app_is_not_followed(world, login, notification):
    notification.url = "https://evil.example.com/"
    notification.save()
    response = login(world.teacher).post(_url(notification))
    assert response["Location"] == "/notifications/"


def test_an_unknown_notification_is_not_found(world, login):
    assert login(world.teacher).post("/notifications/999999/read/").status_code == 404
