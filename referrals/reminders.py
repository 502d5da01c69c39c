"""Referrals' morning reminders, run by notifications.reminders (registered in
ReferralsConfig.ready()): a referral waiting for triage more than 3 school days
reminds the counselors covering the student's class (every counselor of the
school when the class has none); more than 5 school days, also the vice
principals. Once per referral and threshold, counted again from a resubmission."""

import datetime
from functools import partial

from django.utils import timezone

from accounts.models import Role, User
from notifications.models import Notification, NotificationKind
from referrals.models import Referral, Status
from referrals.services import submission_recipients
from roster.schooldays import TRIAGE_DEADLINE_SCHOOL_DAYS, SchoolCalendar

WAITING_THRESHOLDS = (5, TRIAGE_DEADLINE_SCHOOL_DAYS)  # school days, the larger first


def _school_staff(school_id, role, cache):
    key = (school_id, role)
    if key not in cache:
        cache[key] = list(User.objects.with_role(school_id, role).order_by("pk"))
    return cache[key]


def waiting_referral_reminders(*, today):
    """REFERRAL_WAITING after more than 3 and more than 5 school days in the
    queue (unsaved, with dedupe keys)."""
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
        recipients = submission_recipients(
            referral, school_counselors=partial(_school_staff, school.pk, Role.COUNSELOR, staff)
        )
        if threshold >= WAITING_THRESHOLDS[0]:
            recipients = recipients + _school_staff(school.pk, Role.VICE_PRINCIPAL, staff)
        key = f"referral_waiting:{referral.pk}:{int(referral.submitted_at.timestamp())}:{threshold}"
        url = referral.get_absolute_url()
        label = referral.notification_label
        rows.extend(
            Notification(
                school=school,
                recipient=user,
                kind=NotificationKind.REFERRAL_WAITING,
                url=url,
                label=label,
                dedupe_key=key,
            )
            for user in recipients
        )
    return rows
