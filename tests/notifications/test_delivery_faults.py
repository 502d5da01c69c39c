"""The delivery path killed at each step: before the send, between the send
and marking it sent, and after. A kill is an exception no handler catches
(BaseException), raised at that step, as a worker's death leaves the row.
The real worker killed with SIGKILL: celery_redis_integration.py."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from notifications import channels, services, tasks
from notifications.models import Delivery, DeliveryStatus, NotificationKind

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker died here."""


def _delivery(world):
    (notification,) = services.notify(
        school=world.school,
        recipients=[world.counselor],
        kind=NotificationKind.ADDED_TO_TEAM,
        url="/cases/7/",
        label="2026-0007",
    )
    return notification.deliveries.get()


def _killed_at(step):
    """channels._send that dies at a step: "before" the send, "between" the
    send and on_sent (marking it sent), "after" both."""
    real_send = channels._send

    def send(message, on_sent=None):
        if step == "before":
            raise Killed
        real_send(message, on_sent=None)
        if step == "between":
            raise Killed
        on_sent()
        raise Killed

    return mock.patch.object(channels, "_send", send)


def _attempt(delivery):
    with pytest.raises(Killed):
        services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _sweep_later(seconds):
    return services.sweep(now=timezone.now() + datetime.timedelta(seconds=seconds))


def test_killed_before_the_send_the_email_goes_out_once_after_the_stale_claim(world, mailoutbox):
    delivery = _delivery(world)
    with _killed_at("before"):
        delivery = _attempt(delivery)
    assert delivery.status == DeliveryStatus.SENDING and mailoutbox == []
    # A redelivered task (late acknowledgement) leaves a live claim alone.
    tasks.send_delivery.delay(delivery.pk)
    assert mailoutbox == []
    # The sweep leaves the claim until it outlives the task's hard time limit.
    assert _sweep_later(services.DELIVERY_TIME_LIMIT) == 0
    assert mailoutbox == []
    assert _sweep_later(services.STALE_CLAIM.total_seconds() + 1) == 1
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_killed_between_send_and_mark_the_repeat_has_the_same_message_id(world, mailoutbox):
    delivery = _delivery(world)
    with _killed_at("between"):
        delivery = _attempt(delivery)
    assert delivery.status == DeliveryStatus.SENDING
    assert len(mailoutbox) == 1
    # At least once: after the stale claim the sweep sends it again …
    assert _sweep_later(services.STALE_CLAIM.total_seconds() + 1) == 1
    assert len(mailoutbox) == 2
    # … recognisably the same message.
    first, second = (m.extra_headers["Message-ID"] for m in mailoutbox)
    assert first == second == channels.delivery_message_id(delivery)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT
    # And no more.
    assert _sweep_later(services.STALE_CLAIM.total_seconds() * 3) == 0
    assert len(mailoutbox) == 2


def test_killed_after_the_mark_nothing_is_sent_again(world, mailoutbox):
    delivery = _delivery(world)
    with _killed_at("after"):
        delivery = _attempt(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.sent_at is not None
    tasks.send_delivery.delay(delivery.pk)  # redelivered after the kill
    assert _sweep_later(services.STALE_CLAIM.total_seconds() * 3) == 0
    assert len(mailoutbox) == 1


def test_the_row_is_marked_sent_before_the_mail_connection_closes(world, mailoutbox):
    delivery = _delivery(world)
    seen = []
    real_close = channels.mail.mailers["default"].__class__.close

    def close(self):
        seen.append(Delivery.objects.get(pk=delivery.pk).status)
        return real_close(self)

    with mock.patch.object(channels.mail.mailers["default"].__class__, "close", close):
        services.delivery_attempt(delivery_id=delivery.pk)
    assert seen == [DeliveryStatus.SENT]
    assert len(mailoutbox) == 1


def test_a_failed_mark_keeps_the_claim_instead_of_retrying_at_once(world, mailoutbox):
    """The message left but the database went away: no early retry (which
    would be a duplicate); the sweep gives the claim back later."""
    delivery = _delivery(world)
    real_update = Delivery.objects.none().__class__.update

    def update(self, **values):
        if values.get("status") == DeliveryStatus.SENT:
            raise OperationalError("server closed the connection")
        return real_update(self, **values)

    with mock.patch.object(Delivery.objects.none().__class__, "update", update), pytest.raises(OperationalError):
        services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENDING, 0, "")
    assert len(mailoutbox) == 1


def test_each_email_carries_a_message_id_derived_from_its_delivery(world, mailoutbox, settings):
    settings.SITE_URL = "https://sinergi.example.sch.id"
    delivery = _delivery(world)
    services.delivery_attempt(delivery_id=delivery.pk)
    (email,) = mailoutbox
    assert email.extra_headers["Message-ID"] == f"<sinergi.delivery.{delivery.pk}@sinergi.example.sch.id>"
    assert f"Message-ID: <sinergi.delivery.{delivery.pk}@sinergi.example.sch.id>" in email.message().as_string()


def test_the_stale_claim_limit_follows_the_task_s_hard_time_limit():
    for task in (tasks.send_delivery, tasks.send_digest):
        assert task.time_limit == services.DELIVERY_TIME_LIMIT
        assert task.soft_time_limit < task.time_limit
        assert task.acks_late and task.reject_on_worker_lost
    assert services.DELIVERY_TIME_LIMIT < services.STALE_CLAIM.total_seconds() <= 2 * services.DELIVERY_TIME_LIMIT
