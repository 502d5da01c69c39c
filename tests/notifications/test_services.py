import contextlib
import datetime
import smtplib
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services, tasks
from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification, NotificationPreference


def _notify(world, *recipients, **kwargs):
    options = {"kind": Kind.ADDED_TO_TEAM, "url": "/cases/7/", "label": "2026-0007"} | kwargs
    return services.notify(school=world.school, recipients=list(recipients), **options)


# Who gets what.


def test_notify_skips_duplicates_none_and_the_actor(world):
    rows = _notify(
        world, world.counselor, None, world.counselor2, world.counselor, world.teacher, exclude=world.teacher
    )
    assert [n.recipient for n in rows] == [world.counselor, world.counselor2]
    assert all(n.pk for n in rows)
    assert Notification.objects.count() == 2


def test_notify_creates_an_email_delivery_per_recipient(world):
    rows = _notify(world, world.counselor, world.counselor2)
    deliveries = Delivery.objects.filter(notification__in=rows)
    assert sorted(d.channel for d in deliveries) == [Channel.EMAIL, Channel.EMAIL]
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}


def test_no_whatsapp_delivery_while_the_backend_is_off(world):
    world.counselor.whatsapp = "+6281234567890"
    world.counselor.save()
    _notify(world, world.counselor)
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_whatsapp_delivery_when_the_backend_is_on(world, fake_whatsapp):
    world.counselor.whatsapp = "+6281234567890"
    world.counselor.save()
    _notify(world, world.counselor, world.counselor2)  # counselor2 has no number
    assert sorted(Delivery.objects.values_list("notification__recipient__username", "channel")) == [
        ("counselor", Channel.EMAIL),
        ("counselor", Channel.WHATSAPP),
        ("counselor2", Channel.EMAIL),
    ]


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ({}, {Channel.EMAIL, Channel.WHATSAPP}),
        ({"email": False}, {Channel.WHATSAPP}),
        ({"whatsapp": False}, {Channel.EMAIL}),
        ({"email_digest": True}, {Channel.WHATSAPP}),
        ({"email": False, "whatsapp": False}, set()),
    ],
)
def test_each_user_chooses_their_channels(world, fake_whatsapp, preference, expected):
    world.teacher.whatsapp = "+6281234567890"
    world.teacher.save()
    if preference:
        NotificationPreference.objects.create(user=world.teacher, **preference)
    (notification,) = _notify(world, world.teacher)
    assert set(notification.deliveries.values_list("channel", flat=True)) == expected
    # In-app is always on.
    assert Notification.objects.filter(recipient=world.teacher).count() == 1


def test_no_delivery_without_an_address_or_for_inactive_users(world, fake_whatsapp):
    world.teacher.email = ""
    world.teacher.save()
    world.counselor2.is_active = False
    world.counselor2.save()
    _notify(world, world.teacher, world.counselor2)
    assert not Delivery.objects.exists()
    assert Notification.objects.count() == 2


# Sending after commit, exactly once.


def test_deliveries_are_sent_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (notification,) = _notify(world, world.counselor)
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.counselor.email]
    delivery = notification.deliveries.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None


def test_a_rolled_back_event_leaves_no_notification_and_sends_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _notify(world, world.counselor)
        raise RuntimeError("the event failed")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mailoutbox == []


def test_a_delivery_is_sent_at_most_once_when_its_task_runs_twice(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    delivery = notification.deliveries.get()
    tasks.send_delivery.delay(delivery.pk)
    tasks.send_delivery.delay(delivery.pk)
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_delivery_claimed_by_another_worker_is_left_alone(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    notification.deliveries.update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    assert services.delivery_attempt(delivery_id=notification.deliveries.get().pk) is None
    assert mailoutbox == []


# Failures: retry with backoff, then a visible failed state.


def test_failures_retry_with_backoff_and_end_failed(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    delivery = notification.deliveries.get()
    with mock.patch("notifications.channels.send_email", side_effect=smtplib.SMTPServerDisconnected("gone")):
        countdowns = []
        for _ in range(services.MAX_ATTEMPTS):
            before = timezone.now()
            countdowns.append(services.delivery_attempt(delivery_id=delivery.pk))
            delivery.refresh_from_db()
            if delivery.status == DeliveryStatus.PENDING:
                assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=countdowns[-1])
    assert countdowns == [60, 120, 240, 480, None]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert "SMTPServerDisconnected: gone" in delivery.last_error
    assert mailoutbox == []
    # A failed delivery is not tried again by itself.
    assert services.delivery_attempt(delivery_id=delivery.pk) is None


def test_the_task_asks_celery_to_retry_with_the_backoff(world):
    (notification,) = _notify(world, world.counselor)
    delivery = notification.deliveries.get()

    class Retried(Exception):
        pass

    with (
        mock.patch("notifications.channels.send_email", side_effect=OSError("connection refused")),
        mock.patch.object(tasks.send_delivery, "retry", side_effect=Retried) as retry,
        pytest.raises(Retried),
    ):
        tasks.send_delivery.run(delivery.pk)  # as a worker runs it (not eager)
    retry.assert_called_once_with(countdown=60)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)


def test_in_eager_mode_a_failure_waits_for_the_sweep_instead_of_blocking_the_request(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    delivery = notification.deliveries.get()
    with mock.patch("notifications.channels.send_email", side_effect=OSError("connection refused")):
        tasks.send_delivery.delay(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)


def test_a_permanent_error_fails_at_once(world):
    (notification,) = _notify(world, world.counselor)
    world.counselor.email = ""
    world.counselor.save()
    services.delivery_attempt(delivery_id=notification.deliveries.get().pk)
    delivery = notification.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "no email address" in delivery.last_error


# The broker is down: the event still succeeds, the sweep sends later.


@contextlib.contextmanager
def _broker_down():
    """As with CELERY_BROKER_URL set and Redis stopped: publishing raises
    kombu's OperationalError (what a plain .delay() would let through)."""
    conf = tasks.send_delivery.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    error = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    try:
        with mock.patch.object(tasks.send_delivery, "apply_async", side_effect=error) as apply_async:
            yield apply_async
    finally:
        conf.task_always_eager = eager


def test_a_broker_that_is_down_does_not_fail_the_event(world, mailoutbox, django_capture_on_commit_callbacks, caplog):
    with _broker_down() as apply_async, django_capture_on_commit_callbacks(execute=True):
        rows = _notify(world, world.counselor, world.counselor2, world.vp)
    # One try, no publish retries, then the rest is left to the sweep.
    apply_async.assert_called_once()
    assert apply_async.call_args.kwargs["retry"] is False
    assert len(rows) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert mailoutbox == []
    assert "the sweep will retry" in caplog.text


def test_the_sweep_sends_what_was_left_pending_exactly_once(world, mailoutbox, django_capture_on_commit_callbacks):
    with _broker_down(), django_capture_on_commit_callbacks(execute=True):
        _notify(world, world.counselor, world.counselor2)
    # Too fresh for the sweep: its own task may still be on the way.
    assert services.sweep() == 0
    later = timezone.now() + datetime.timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert tasks.sweep_pending.delay().get() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.counselor.email, world.counselor2.email])
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Sweeping again sends nothing more.
    tasks.sweep_pending.delay(older_than_seconds=0)
    assert len(mailoutbox) == 2


def test_the_sweep_waits_for_a_retry_s_backoff(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    notification.deliveries.update(attempts=1, next_attempt_at=timezone.now() + datetime.timedelta(minutes=2))
    assert services.sweep(older_than_seconds=0) == 0
    assert mailoutbox == []


def test_the_sweep_gives_back_claims_of_a_worker_that_died(world, mailoutbox):
    (notification,) = _notify(world, world.counselor)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    notification.deliveries.update(status=DeliveryStatus.SENDING, claimed_at=long_ago, next_attempt_at=long_ago)
    (fresh,) = _notify(world, world.counselor2)
    fresh.deliveries.update(status=DeliveryStatus.SENDING, claimed_at=timezone.now(), next_attempt_at=long_ago)
    assert services.sweep() == 1
    assert [m.to for m in mailoutbox] == [[world.counselor.email]]
    assert fresh.deliveries.get().status == DeliveryStatus.SENDING


def test_failed_deliveries_can_be_tried_again(world, mailoutbox, django_capture_on_commit_callbacks):
    (notification,) = _notify(world, world.counselor)
    notification.deliveries.update(status=DeliveryStatus.FAILED, attempts=5, last_error="x")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(deliveries=Delivery.objects.all()) == 1
    assert notification.deliveries.get().status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


# The daily digest.


def _digest_user(world, user):
    NotificationPreference.objects.create(user=user, email_digest=True)
    return user


def test_digest_users_get_one_email_a_day_instead_of_single_emails(world, mailoutbox):
    _digest_user(world, world.teacher)
    _notify(world, world.teacher, kind=Kind.REFERRAL_ACCEPTED, url="/referrals/3/", label="Referral #3")
    _notify(world, world.teacher, kind=Kind.ACTION_ASSIGNED, url="/tasks/", label="2026-0007")
    old = _notify(world, world.teacher, kind=Kind.CASE_CLOSED, url="/cases/1/", label="2026-0001")
    Notification.objects.filter(pk=old[0].pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    read = _notify(world, world.teacher, kind=Kind.CASE_STATUS, url="/cases/2/", label="2026-0002")
    services.notification_mark_read(notification=read[0])
    assert not Delivery.objects.exists()

    assert tasks.send_daily_digests.delay().get() == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [world.teacher.email]
    assert "2 new notifications" in email.subject
    assert "Your referral was accepted (Referral #3)" in email.body
    assert "An action was assigned to you (2026-0007)" in email.body
    assert "http://127.0.0.1:8000/referrals/3/" in email.body
    assert "2026-0001" not in email.body and "2026-0002" not in email.body

    # Once a day, even if beat fires twice.
    tasks.send_daily_digests.delay()
    assert len(mailoutbox) == 1


def test_no_digest_when_nothing_is_new(world, mailoutbox):
    _digest_user(world, world.teacher)
    services.digests_enqueue()
    assert mailoutbox == []


def test_a_digest_that_fails_is_tried_again(world, mailoutbox):
    _digest_user(world, world.teacher)
    _notify(world, world.teacher)
    with mock.patch("notifications.channels.send_digest", side_effect=OSError("down")), pytest.raises(OSError):
        services.digest_send(user_id=world.teacher.pk)
    assert NotificationPreference.objects.get(user=world.teacher).digest_sent_on is None
    assert services.digest_send(user_id=world.teacher.pk) is True
    assert len(mailoutbox) == 1


def test_users_without_digest_get_no_digest(world, mailoutbox):
    NotificationPreference.objects.create(user=world.teacher, email=False, email_digest=True)
    NotificationPreference.objects.create(user=world.counselor)
    assert services.digest_recipients() == []


def test_without_a_broker_one_failing_task_does_not_stop_the_others(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    real = services.delivery_attempt
    calls = []

    def first_one_breaks(*, delivery_id):
        calls.append(delivery_id)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return real(delivery_id=delivery_id)

    with (
        mock.patch("notifications.services.delivery_attempt", side_effect=first_one_breaks),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(world, world.counselor, world.counselor2)
    assert len(calls) == 2
    assert len(mailoutbox) == 1
