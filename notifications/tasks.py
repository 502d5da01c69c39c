"""Celery tasks: thin wrappers that fetch by id and call the services."""

from celery import shared_task

from notifications import reminders, services

# Late acknowledgement: a task whose worker dies before it ends is not lost
# with the worker (the claim on the row keeps a second run from sending twice).
DELIVERY_TASK = {
    "bind": True,
    "max_retries": None,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": services.DELIVERY_TIME_LIMIT,
    "soft_time_limit": services.DELIVERY_SOFT_TIME_LIMIT,
}


@shared_task(**DELIVERY_TASK)
def send_delivery(self, delivery_id):
    """Send one delivery (claimed on its row; see services.delivery_attempt).
    Attempts are counted on the row; in eager mode (no broker) a failure waits
    for the sweep instead of retrying inside the request."""
    countdown = services.delivery_attempt(delivery_id=delivery_id)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)


@shared_task
def sweep_pending(older_than_seconds=60):
    """Every minute (beat): enqueue deliveries whose task was lost, and the
    day's digests still due after their time."""
    return services.sweep(older_than_seconds=older_than_seconds)


@shared_task
def send_reminders():
    """Every morning (beat): follow-ups due or overdue, referrals waiting."""
    return reminders.send_reminders()


@shared_task
def send_daily_digests():
    """Every morning (beat): one task per user who chose a daily digest."""
    return services.digests_enqueue()


@shared_task(**DELIVERY_TASK)
def send_digest(self, user_id):
    """Send one user's digest at most once a day. Attempts are counted on
    their preference row; in eager mode a failure waits for the sweep."""
    countdown = services.digest_attempt(user_id=user_id)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)
