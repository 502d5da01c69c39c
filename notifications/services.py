"""Telling people what happened. Called by other apps' services inside their
transaction, so the notification rows and their deliveries commit (or roll
back) with the event.

Delivery outside the app is reliable in three steps:
1. notify() writes a Notification per recipient and a Delivery per channel
   they want, in the caller's transaction;
2. after commit, a Celery task is enqueued per delivery; if the broker is
   down this is logged, never raised, so the request that caused the event
   still succeeds;
3. the task claims the delivery with a conditional UPDATE (pending ->
   sending), so it is sent at most once; failures go back to pending with a
   backoff, and end as failed after MAX_ATTEMPTS. A periodic sweep enqueues
   deliveries whose task was lost (broker down, worker crash).

The daily digest is claimed once a day on the user's preference row, retried
the same way, and covers everything unread since the last digest sent; the
sweep sends the digests a missed morning run left.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, PositiveSmallIntegerField, Q, Value, When
from django.utils import timezone

from common.tasks import enqueue
from notifications import channels
from notifications.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Time limits of the delivery and digest tasks (notifications.tasks). A send
# waits at most 10 s per network step (SMTP timeout, WhatsApp API timeout), so
# a minute is plenty; the worker kills a task at the hard limit.
DELIVERY_SOFT_TIME_LIMIT = 50
DELIVERY_TIME_LIMIT = 60
# A claim older than the hard time limit (plus a margin for clocks and the
# final UPDATE) belongs to a worker that died: no task can still be sending it.
STALE_CLAIM = datetime.timedelta(seconds=DELIVERY_TIME_LIMIT + 30)
SWEEP_BATCH = 500
DIGEST_LIMIT = 30


def backoff(attempts):
    """Seconds before the next try: 1, 2, 4, 8 minutes … at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


# Creating notifications and deliveries.


def notify(*, school, recipients, kind, url, label="", exclude=None, attachment=""):
    """Create one in-app notification per distinct recipient (not the one who
    acted) and the deliveries each recipient asked for; ``attachment`` is a
    reference of notifications.attachments. Returns the notifications."""
    seen = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        rows.append(Notification(school=school, recipient=user, kind=kind, url=url, label=label, attachment=attachment))
    return create_notifications(rows)


def create_notifications(rows):
    """Save unsaved Notification rows with their deliveries; enqueue the
    deliveries once the transaction commits."""
    if not rows:
        return []
    notifications = Notification.objects.bulk_create(rows)
    deliveries = Delivery.objects.bulk_create(deliveries_for(notifications))
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return notifications


def preferences_for(user_ids):
    """Each user's preferences, the defaults for users who never chose."""
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=set(user_ids))}
    return {pk: found.get(pk) or NotificationPreference(user_id=pk) for pk in user_ids}


def channels_for(user, preference, kind=None):
    """The channels outside the app a person hears on. In-app is always on.
    Who chose the daily digest gets no single emails, except of urgent kinds."""
    wanted = []
    if not user.is_active:
        return wanted
    if user.email and preference.email and (not preference.email_digest or kind in channels.URGENT_KINDS):
        wanted.append(Channel.EMAIL)
    if channels.whatsapp_enabled() and user.whatsapp and preference.whatsapp:
        wanted.append(Channel.WHATSAPP)
    return wanted


def deliveries_for(notifications):
    preferences = preferences_for([n.recipient_id for n in notifications])
    return [
        Delivery(notification=n, channel=channel)
        for n in notifications
        for channel in channels_for(n.recipient, preferences[n.recipient_id], n.kind)
    ]


# Enqueueing: never let a broker problem fail the request.


def enqueue_deliveries(delivery_ids):
    from notifications.tasks import send_delivery

    eager = send_delivery.app.conf.task_always_eager
    for pk in delivery_ids:
        if not enqueue(send_delivery, pk) and not eager:
            # The broker is down: the sweep sends the rest when it is back.
            break


# Sending one delivery.


def delivery_attempt(*, delivery_id):
    """Claim and send one delivery. Returns the seconds to wait before a retry,
    or None when there is nothing more to do (sent, failed for good, or
    claimed by someone else).

    At least once: the row is marked sent right after the message left (before
    the mail connection closes). A worker that dies in between leaves a claim
    that the sweep gives back after STALE_CLAIM, and the message goes out again
    with the same Message-ID. A worker that dies before sending loses nothing."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now
    )
    if claimed != 1:
        return None
    delivery = Delivery.objects.select_related("notification__recipient", "notification__school").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    sent = False

    def mark_sent():
        nonlocal sent
        sent = True
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
        )

    try:
        channels.send(delivery, on_sent=mark_sent)
    except channels.PermanentError as exc:
        _mark_failed(delivery, attempts, exc)
        return None
    except Exception as exc:  # network, SMTP, API errors: try again later
        if sent:
            # It left, but marking it failed (database gone): keep the claim;
            # the sweep gives it back after STALE_CLAIM.
            raise
        if attempts >= MAX_ATTEMPTS:
            _mark_failed(delivery, attempts, exc)
            return None
        countdown = backoff(attempts)
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING,
            attempts=attempts,
            last_error=_error_text(exc),
            claimed_at=None,
            next_attempt_at=timezone.now() + datetime.timedelta(seconds=countdown),
        )
        logger.warning("Delivery %s failed (attempt %s), retrying in %ss: %s", delivery.pk, attempts, countdown, exc)
        return countdown
    if not sent:  # a channel that does not report (a test's stand-in)
        mark_sent()
    return None


def _error_text(exc):
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mark_failed(delivery, attempts, exc):
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, attempts=attempts, last_error=_error_text(exc), claimed_at=None
    )
    logger.error("Delivery %s failed for good after %s attempt(s): %s", delivery.pk, attempts, exc)


def delivery_retry(*, deliveries):
    """Give failed deliveries another round of attempts (admin action)."""
    ids = list(
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return len(ids)


# The sweep.


def sweep(*, older_than_seconds=60, now=None):
    """Enqueue deliveries still pending after their due time (their task was
    lost) and give back claims of workers that died; after the morning's
    digest time, enqueue the digests still due. Returns how many deliveries
    were enqueued."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=DeliveryStatus.PENDING, claimed_at=None
    )
    digests_catch_up(older_than_seconds=older_than_seconds, now=now)
    due = now - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=due)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if not ids:
        return 0
    # Not again before the next grace period, even if the queue is slow.
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(next_attempt_at=now)
    enqueue_deliveries(ids)
    return len(ids)


# The daily digest.


def digest_time():
    """When the morning's digests are due (school time; beat runs them then)."""
    return datetime.time(settings.REMINDERS_HOUR, settings.DIGESTS_MINUTE)


def _digest_preferences():
    return NotificationPreference.objects.filter(
        email=True, email_digest=True, user__is_active=True, user__email__gt=""
    )


def digest_recipients(*, now=None):
    """Users who chose one daily email instead of single emails and whose
    digest of today is still due: not claimed today, no retry waiting."""
    now = now or timezone.now()
    return list(
        _digest_preferences()
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=timezone.localdate(now)))
        .filter(Q(digest_retry_at__isnull=True) | Q(digest_retry_at__lte=now))
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def digests_enqueue(*, now=None):
    """One send_digest task per digest due. Returns how many were enqueued."""
    from notifications.tasks import send_digest

    eager = send_digest.app.conf.task_always_eager
    count = 0
    for user_id in digest_recipients(now=now):
        if enqueue(send_digest, user_id):
            count += 1
        elif not eager:
            break  # broker down: the sweep sends them when it is back
    return count


def digests_catch_up(*, older_than_seconds=60, now=None):
    """The sweep's part: after the morning's digest time, enqueue the digests
    still due (the morning run was missed, its task lost, or a retry is due)."""
    due = (now or timezone.now()) - datetime.timedelta(seconds=older_than_seconds)
    if timezone.localtime(due).time() < digest_time():
        return 0
    return digests_enqueue(now=due)


def digest_attempt(*, user_id, now=None):
    """Send a user's digest of the unread notifications not covered yet, at
    most once a day (claimed on the preference row). Notifications already
    emailed on their own (urgent ones) are left out. Returns the seconds to
    wait before a retry, or None when there is nothing more to do today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    preference = _digest_preferences().select_related("user").filter(user_id=user_id).first()
    if preference is None:
        return None
    claimed = (
        NotificationPreference.objects.filter(pk=preference.pk)
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
        .filter(Q(digest_retry_at__isnull=True) | Q(digest_retry_at__lte=now))
        # A new day's digest starts with fresh attempts; a retry goes on counting.
        .update(
            digest_sent_on=today,
            digest_retry_at=None,
            digest_attempts=Case(
                When(digest_retry_at__isnull=True, then=Value(0)),
                default=F("digest_attempts"),
                output_field=PositiveSmallIntegerField(),
            ),
        )
    )
    if claimed != 1:
        return None
    preference.refresh_from_db(fields=["digest_attempts"])
    since = preference.digest_covered_until
    if since is None:
        # The first digest: the last day, kept while it is retried.
        since = now - datetime.timedelta(days=1)
        NotificationPreference.objects.filter(pk=preference.pk).update(digest_covered_until=since)
    emailed = Delivery.objects.filter(notification=OuterRef("pk"), channel=Channel.EMAIL).exclude(
        status=DeliveryStatus.FAILED
    )
    unread = (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True, created_at__gt=since)
        .filter(created_at__lte=now)
        .filter(~Exists(emailed))
        .order_by("-created_at", "-id")
    )
    items = list(unread[: DIGEST_LIMIT + 1])
    more = 0
    if len(items) > DIGEST_LIMIT:
        more = unread.count() - DIGEST_LIMIT
        items = items[:DIGEST_LIMIT]
    mine = NotificationPreference.objects.filter(pk=preference.pk, digest_sent_on=today)
    try:
        if items:
            channels.send_digest(user=preference.user, notifications=items, more=more, day=today)
    except Exception as exc:  # SMTP, network: try again later, as a delivery
        attempts = preference.digest_attempts + 1
        if attempts >= MAX_ATTEMPTS:
            # Failed for today; tomorrow's digest covers these notifications too.
            mine.update(digest_attempts=attempts, digest_last_error=_error_text(exc))
            logger.error("The digest of user %s failed for good after %s attempt(s): %s", user_id, attempts, exc)
            return None
        countdown = backoff(attempts)
        mine.update(
            digest_sent_on=preference.digest_sent_on,
            digest_attempts=attempts,
            digest_last_error=_error_text(exc),
            digest_retry_at=now + datetime.timedelta(seconds=countdown),
        )
        logger.warning(
            "The digest of user %s failed (attempt %s), retrying in %ss: %s", user_id, attempts, countdown, exc
        )
        return countdown
    mine.update(digest_covered_until=now, digest_attempts=0, digest_last_error="")
    return None


# The reader's side.


def notification_mark_read(*, notification):
    """Mark one notification read (once)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user, school):
    return Notification.objects.filter(recipient=user, school=school, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_for(*, user):
    """The user's preferences, or the defaults (unsaved) if they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preference_save(*, user, **choices):
    """Save the channels a user chose (email, whatsapp, email_digest)."""
    allowed = {"email", "whatsapp", "email_digest"}
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={k: v for k, v in choices.items() if k in allowed}
    )
    return preference
