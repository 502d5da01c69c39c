"""A forum sitting as an iCalendar invitation (the same writer as case meetings)."""

from django.conf import settings
from django.utils.translation import gettext as _

from casework.ics import calendar_event
from forums.models import Sitting
from notifications.models import NotificationKind


def sitting_ics(sitting, *, cancelled=False):
    return calendar_event(
        uid=f"forum-{sitting.pk}@sinergi",
        summary=_("Coordination forum"),
        starts_at=sitting.starts_at,
        minutes=sitting.duration_minutes,
        place=sitting.place,
        url=settings.SITE_URL + sitting.get_absolute_url(),
        sequence=sitting.sequence,
        organizer=sitting.created_by,
        attendees=list(sitting.attendees.all()),
        cancelled=cancelled,
    )


def sitting_filename(sitting):
    return f"sinergi-forum-{sitting.starts_at:%Y%m%d}-{sitting.pk}.ics"


def sitting_invitation(notification, sitting_id):
    """(file name, .ics text, MIME type) for a forum notification's email."""
    if notification.kind not in (NotificationKind.FORUM_SCHEDULED, NotificationKind.FORUM_CANCELLED):
        return None
    sitting = Sitting.objects.select_related("created_by").filter(pk=sitting_id).first()
    if sitting is None:
        return None
    cancelled = notification.kind == NotificationKind.FORUM_CANCELLED
    return sitting_filename(sitting), sitting_ics(sitting, cancelled=cancelled), "text/calendar"
