"""Reminders, run every morning by Celery beat.

- A follow-up due tomorrow, or overdue, reminds its author (once per entry per
  day) while the case is not closed.
- A referral waiting for triage more than 3 school days reminds the counselors
  covering the student's class (every counselor of the school when the class
  has none); more than 5 school days, also the vice principals. Once per
  referral and threshold, counted again from a resubmission.

Each reminder is a notification with a dedupe key, unique per recipient, so a
job that runs twice creates nothing new.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from notifications.models import Kind, Notification
from notifications.services import create_notifications
from roster.schooldays import TRIAGE_DEADLINE_SCHOOL_DAYS, SchoolCalendar

WAITING_THRESHOLDS = (5, TRIAGE_DEADLINE_SCHOOL_DAYS)  # school days, the larger first


def _url(name, pk, fallback):
    # The stable URLs of DESIGN.md, also while an app's pages are being built.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


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


def follow_up_reminders(*, today):
    """FOLLOW_UP_DUE for follow-ups due tomorrow, FOLLOW_UP_OVERDUE for those
    past their date, to the entry's author."""
    from casework.models import CaseStatus, EvaluationEntry

    tomorrow = today + datetime.timedelta(days=1)
    entries = (
        EvaluationEntry.objects.filter(follow_up_done_at__isnull=True, author__is_active=True)
        .filter(Q(next_follow_up=tomorrow) | Q(next_follow_up__lt=today))
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "author")
        .order_by("pk")
    )
    rows = []
    for entry in entries.iterator(chunk_size=500):
        kind = Kind.FOLLOW_UP_DUE if entry.next_follow_up == tomorrow else Kind.FOLLOW_UP_OVERDUE
        rows.append(
            Notification(
                school_id=entry.case.school_id,
                recipient=entry.author,
                kind=kind,
                url=_url("casework:detail", entry.case_id, f"/cases/{entry.case_id}/"),
                label=entry.case.number,
                dedupe_key=f"follow_up:{entry.pk}:{today.isoformat()}",
            )
        )
    return _create_once(rows)


def _school_staff(school_id, role, cache):
    key = (school_id, role)
    if key not in cache:
        cache[key] = list(
            User.objects.filter(memberships__school_id=school_id, memberships__role=role, is_active=True)
            .distinct()
            .order_by("pk")
        )
    return cache[key]


def waiting_referral_reminders(*, today):
    """REFERRAL_WAITING after more than 3 and more than 5 school days in the queue."""
    from referrals.models import Referral, Status

    # More than 3 school days is at least 4 calendar days: a cheap first cut.
    first_cut = today - datetime.timedelta(days=WAITING_THRESHOLDS[-1] + 1)
    referrals = (
        Referral.objects.filter(status=Status.SUBMITTED, submitted_at__date__lte=first_cut)
        .select_related("school", "student__classroom__counselor")
        .order_by("school_id", "pk")
    )
    calendars, staff, rows = {}, {}, []
    for referral in referrals.iterator(chunk_size=500):
        school = referral.school
        if school.pk not in calendars:
            calendars[school.pk] = SchoolCalendar(school)
        submitted_on = timezone.localdate(referral.submitted_at)
        waited = calendars[school.pk].days_between(submitted_on, today)
        threshold = next((t for t in WAITING_THRESHOLDS if waited > t), None)
        if threshold is None:
            continue
        classroom = referral.student.classroom
        if classroom is not None and classroom.counselor_id and classroom.counselor.is_active:
            recipients = [classroom.counselor]
        else:
            recipients = _school_staff(school.pk, Role.COUNSELOR, staff)
        if threshold >= WAITING_THRESHOLDS[0]:
            recipients = recipients + _school_staff(school.pk, Role.VICE_PRINCIPAL, staff)
        key = f"referral_waiting:{referral.pk}:{int(referral.submitted_at.timestamp())}:{threshold}"
        url = _url("referrals:detail", referral.pk, f"/referrals/{referral.pk}/")
        label = referral.notification_label
        rows.extend(
            Notification(
                school=school, recipient=user, kind=Kind.REFERRAL_WAITING, url=url, label=label, dedupe_key=key
            )
            for user in recipients
        )
    return _create_once(rows)


def send_reminders(*, today=None):
    """All of the morning's reminders. Returns how many notifications were made."""
    today = today or timezone.localdate()
    # Labels ("Referral #12") are stored text, in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            follow_ups = follow_up_reminders(today=today)
        with transaction.atomic():
            waiting = waiting_referral_reminders(today=today)
    return {"follow_ups": len(follow_ups), "waiting_referrals": len(waiting)}
