"""Failed deliveries are visible to operators in the admin, per school."""

from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind


def _failed(world, school, recipient, error):
    notification = Notification.objects.create(
        school=school, recipient=recipient, kind=NotificationKind.CASE_STATUS, label="2026-0001", url="/cases/1/"
    )
    return Delivery.objects.create(
        notification=notification, channel="email", status=DeliveryStatus.FAILED, attempts=5, last_error=error
    )


def test_the_school_admin_sees_failed_deliveries_of_their_school(world, login):
    _failed(world, world.school, world.teacher, "SMTPServerDisconnected: HERE")
    _failed(world, world.other_school, world.outsider, "SMTPServerDisconnected: THERE")
    response = login(world.admin).get("/admin/notifications/delivery/?status__exact=failed")
    assert response.status_code == 200
    text = response.content.decode()
    assert "HERE" in text
    assert "THERE" not in text


def test_failed_deliveries_can_be_retried_from_the_admin(world, login, mailoutbox, django_capture_on_commit_callbacks):
    delivery = _failed(world, world.school, world.teacher, "boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.admin).post(
            "/admin/notifications/delivery/", {"action": "retry", "_selected_action": [delivery.pk]}, follow=True
        )
    assert "1 delivery will be tried again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


def test_teachers_have_no_admin(world, login):
    response = login(world.teacher).get("/admin/notifications/delivery/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/notifications/delivery/"
