"""The forum's morning job, run by notifications.reminders (registered in
ForumsConfig.ready()): the agenda of a sitting due today or tomorrow is
brought up to date, so it holds what came up since it was booked, and the
participants of tomorrow's sitting are reminded once."""

import contextlib
import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from forums import services
from forums.models import Sitting
from notifications.models import Notification, NotificationKind


def forum_reminders(*, today):
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    sittings = (
        Sitting.objects.filter(
            recap_sent_at__isnull=True,
            cancelled_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=2),
        )
        .select_related("created_by")
        .order_by("starts_at")
    )
    rows = []
    for sitting in sittings:
        # When who booked it no longer runs forums, the agenda stays as it is.
        with contextlib.suppress(PermissionDenied):
            services.agenda_build(sitting=sitting, actor=sitting.created_by, today=today)
        if timezone.localdate(sitting.starts_at) != today + datetime.timedelta(days=1):
            continue
        for user in sitting.attendees.filter(is_active=True):
            rows.append(
                Notification(
                    school_id=sitting.school_id,
                    recipient=user,
                    kind=NotificationKind.FORUM_SCHEDULED,
                    url=sitting.get_absolute_url(),
                    label=_("Forum %(date)s") % {"date": f"{timezone.localtime(sitting.starts_at):%Y-%m-%d}"},
                    dedupe_key=f"forum:{sitting.pk}:{today.isoformat()}",
                )
            )
    return rows
