import contextlib
import datetime
import smtplib
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services, tasks
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)


def _notify(world, *recipients, **kwargs):
    options = {"kind": NotificationKind.ADDED_TO_TEAM, "url": "/cases/7/", "label": "2026-0007"} | kwargs
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
        # Urgent: by email at once, also for those who chose the digest.
        ({"email_digest": True, "kind": NotificationKind.REFERRAL_URGENT}, {Channel.EMAIL, Channel.WHATSAPP}),
        ({"email": False, "kind": NotificationKind.REFERRAL_URGENT}, {Channel.WHATSAPP}),
    ],
)
def test_each_user_chooses_their_channels(world, fake_whatsapp, preference, expected):
    world.teacher.whatsapp = "+6281234567890"
    world.teacher.save()
    preference = dict(preference)
    kind = preference.pop("kind", NotificationKind.ADDED_TO_TEAM)
    if preference:
        NotificationPreference.objects.create(user=world.teacher, **preference)
    (notification,) = _notify(world, world.teacher, kind=kind)
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
def _broker_down(task=tasks.send_delivery):
    """As with CELERY_BROKER_URL set and Redis stopped: publishing raises
    kombu's OperationalError (what a plain .delay() would let through)."""
    conf = task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    error = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    try:
        with mock.patch.object(task, "apply_async", side_effect=error) as apply_async:
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
    _notify(world, world.teacher, kind=NotificationKind.REFERRAL_ACCEPTED, url="/referrals/3/", label="Referral #3")
    _notify(world, world.teacher, kind=NotificationKind.ACTION_ASSIGNED, url="/tasks/", label="2026-0007")
    old = _notify(world, world.teacher, kind=NotificationKind.CASE_CLOSED, url="/cases/1/", label="2026-0001")
    Notification.objects.filter(pk=old[0].pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    read = _notify(world, world.teacher, kind=NotificationKind.CASE_STATUS, url="/cases/2/", label="2026-0002")
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


def _preference(user):
    return NotificationPreference.objects.get(user=user)


def test_a_digest_that_fails_is_retried_with_backoff(world, mailoutbox):
    _digest_user(world, world.teacher)
    _notify(world, world.teacher)
    with mock.patch("notifications.channels.send_digest", side_effect=OSError("down")):
        assert services.digest_attempt(user_id=world.teacher.pk) == 60
    preference = _preference(world.teacher)
    assert preference.digest_sent_on is None
    assert (preference.digest_attempts, preference.digest_last_error) == (1, "OSError: down")
    # Not again before the backoff, not even by the morning run.
    assert services.digest_attempt(user_id=world.teacher.pk) is None
    assert services.digest_recipients() == []
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert services.digest_attempt(user_id=world.teacher.pk, now=later) is None
    assert len(mailoutbox) == 1
    preference = _preference(world.teacher)
    assert (preference.digest_attempts, preference.digest_last_error) == (0, "")
    assert preference.digest_covered_until == later


def test_the_task_asks_celery_to_retry_a_failed_digest(world):
    _digest_user(world, world.teacher)
    _notify(world, world.teacher)

    class Retried(Exception):
        pass

    with (
        mock.patch("notifications.channels.send_digest", side_effect=OSError("down")),
        mock.patch.object(tasks.send_digest, "retry", side_effect=Retried) as retry,
        pytest.raises(Retried),
    ):
        tasks.send_digest.run(world.teacher.pk)  # as a worker runs it (not eager)
    retry.assert_called_once_with(countdown=60)


def test_a_digest_that_keeps_failing_ends_failed_for_the_day(world, mailoutbox, caplog):
    _digest_user(world, world.teacher)
    _notify(world, world.teacher, kind=NotificationKind.REFERRAL_ACCEPTED, url="/referrals/3/", label="Referral #3")
    now = timezone.now()
    with mock.patch("notifications.channels.send_digest", side_effect=smtplib.SMTPServerDisconnected("gone")):
        for _ in range(services.MAX_ATTEMPTS):
            now += datetime.timedelta(minutes=10)  # past each backoff
            services.digest_attempt(user_id=world.teacher.pk, now=now)
    preference = _preference(world.teacher)
    assert preference.digest_attempts == services.MAX_ATTEMPTS
    assert preference.digest_last_error == "SMTPServerDisconnected: gone"
    assert preference.digest_retry_at is None
    assert preference.digest_sent_on == timezone.localdate(now)
    assert "failed for good" in caplog.text
    assert [r.levelname for r in caplog.records if "failed for good" in r.message] == ["ERROR"]
    # Nothing more that day, even by the sweep.
    assert services.digest_recipients(now=now) == []
    assert services.digest_attempt(user_id=world.teacher.pk, now=now) is None
    # The next day's digest starts afresh and still holds what failed.
    tomorrow = now + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert services.digest_recipients() == [world.teacher.pk]
        _notify(world, world.teacher, kind=NotificationKind.ACTION_ASSIGNED, url="/tasks/", label="2026-0007")
        assert services.digest_attempt(user_id=world.teacher.pk) is None
    (email,) = mailoutbox
    assert "2 new notifications" in email.subject
    assert "Referral #3" in email.body and "2026-0007" in email.body
    assert _preference(world.teacher).digest_attempts == 0


def test_a_digest_covers_everything_since_the_last_one(world, mailoutbox):
    """Not just the last day: a day missed is in the next digest."""
    _digest_user(world, world.teacher)
    (before,) = _notify(world, world.teacher, kind=NotificationKind.CASE_CLOSED, url="/cases/1/", label="2026-0001")
    (missed,) = _notify(world, world.teacher, kind=NotificationKind.CASE_STATUS, url="/cases/2/", label="2026-0002")
    _notify(world, world.teacher, kind=NotificationKind.ACTION_ASSIGNED, url="/tasks/", label="2026-0007")
    now = timezone.now()
    Notification.objects.filter(pk=before.pk).update(created_at=now - datetime.timedelta(days=4))
    Notification.objects.filter(pk=missed.pk).update(created_at=now - datetime.timedelta(days=2))
    NotificationPreference.objects.filter(user=world.teacher).update(
        digest_sent_on=timezone.localdate(now) - datetime.timedelta(days=3),
        digest_covered_until=now - datetime.timedelta(days=3),
    )
    assert services.digests_enqueue() == 1
    (email,) = mailoutbox
    assert "2 new notifications" in email.subject
    assert "2026-0002" in email.body and "2026-0007" in email.body
    assert "2026-0001" not in email.body  # in the digest before


def _next_morning(hour, minute=0):
    """Tomorrow at hour:minute, school time (later than anything made now)."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_a_digest_run_missed_while_the_broker_was_down_is_caught_up_by_the_sweep(world, mailoutbox):
    _digest_user(world, world.teacher)
    NotificationPreference.objects.filter(user=world.teacher).update(
        digest_covered_until=timezone.now() - datetime.timedelta(hours=1)
    )
    _notify(world, world.teacher, kind=NotificationKind.REFERRAL_ACCEPTED, url="/referrals/3/", label="Referral #3")
    morning = _next_morning(6, 30)
    with mock.patch("django.utils.timezone.now", return_value=morning), _broker_down(tasks.send_digest):
        assert services.digests_enqueue() == 0
    assert mailoutbox == []
    # The broker is back: the sweep after the digest time sends it, once.
    later = morning + datetime.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.sweep_pending.delay()
        tasks.sweep_pending.delay()
    assert len(mailoutbox) == 1
    assert "Referral #3" in mailoutbox[0].body


def test_the_sweep_sends_no_digest_before_the_digest_time(world, mailoutbox):
    _digest_user(world, world.teacher)
    NotificationPreference.objects.filter(user=world.teacher).update(
        digest_covered_until=timezone.now() - datetime.timedelta(hours=1)
    )
    _notify(world, world.teacher)
    early = _next_morning(6, 0)
    with mock.patch("django.utils.timezone.now", return_value=early):
        services.sweep(older_than_seconds=0)
    assert mailoutbox == []
    assert services.digests_catch_up(older_than_seconds=0, now=_next_morning(6, 30)) == 1
    assert len(mailoutbox) == 1


def test_urgent_notifications_reach_digest_users_at_once_and_only_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _digest_user(world, world.vp)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world, world.vp, kind=NotificationKind.REFERRAL_URGENT, url="/referrals/9/", label="Referral #9")
        _notify(world, world.vp, kind=NotificationKind.REFERRAL_WAITING, url="/referrals/8/", label="Referral #8")
    (urgent,) = mailoutbox
    assert urgent.to == [world.vp.email] and "An urgent referral was filed" in urgent.subject
    services.digest_attempt(user_id=world.vp.pk)
    digest = mailoutbox[1]
    assert "1 new notification" in digest.subject
    assert "Referral #8" in digest.body and "Referral #9" not in digest.body


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
