"""Reminders, run every morning by Celery beat.

The apps that remind register a source in their AppConfig.ready():
``source(today=...)`` returns unsaved notifications with a dedupe key, unique
per recipient, so a job that runs twice creates nothing new (follow-ups:
casework.reminders; referrals waiting for triage: referrals.reminders).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.services import create_notifications

_sources = {}


def register(name, source):
    """Add a source of reminders; send_reminders() counts its notifications under ``name``."""
    _sources[name] = source


def _create_once(rows):
    """Create the rows whose (recipient, dedupe_key) does not exist yet."""
    if not rows:
        return []
    keys = {row.dedupe_key for row in rows}
    recipients = {row.recipient_id for row in rows}
    # On the notification_dedupe unique index (recipient, dedupe_key).
    existing = set(
        Notification.objects.filter(recipient_id__in=recipients, dedupe_key__in=keys)
        .values_list("recipient_id", "dedupe_key")
        .iterator()
    )
    fresh, seen = [], set()
    for row in rows:
        key = (row.recipient_id, row.dedupe_key)
        if key in existing or key in seen:
            continue
        seen.add(key)
        fresh.append(row)
    return create_notifications(fresh)


def send_reminders(*, today=None):
    """All of the morning's reminders. Returns how many notifications each
    source made."""
    today = today or timezone.localdate()
    counts = {}
    # Labels ("Referral #12") are stored text, in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        for name, source in _sources.items():
            with transaction.atomic():
                counts[name] = len(_create_once(source(today=today)))
    return counts
