"""A meeting as an iCalendar file (RFC 5545), written by hand.

It names the case number, the kind of meeting and the place only: no student
name, no concerns and no notes, because calendar files travel (email, phones,
shared calendars). The notifications app attaches the same text to emails.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Meeting, MeetingKind
from notifications.models import NotificationKind

PRODID = "-//Sinergi//Case meetings//EN"


def escape(text):
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """Fold a content line at 75 octets, continuing with a space (RFC 5545 3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_summary(meeting, case_number):
    if meeting.kind == MeetingKind.COORDINATION:
        return _("Coordination forum %(number)s") % {"number": case_number}
    return _("Case conference %(number)s") % {"number": case_number}


def meeting_ics(meeting, *, case_number, now=None, cancelled=False):
    """The text of a .ics file with one VEVENT for the meeting. ``cancelled``
    takes it out of the calendar of someone no longer invited: METHOD:CANCEL
    with the same UID and the meeting's current SEQUENCE, which every change
    bumps, so it is higher than that of any invitation they received."""
    now = now or timezone.now()
    ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
    url = settings.SITE_URL + reverse("casework:detail", args=[meeting.case_id]) + f"#meeting-{meeting.pk}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@sinergi",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"SUMMARY:{escape(meeting_summary(meeting, case_number))}",
        f"LOCATION:{escape(meeting.place)}",
        f"URL:{url}",
        "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def meeting_filename(meeting, case_number):
    return f"sinergi-{case_number}-meeting-{meeting.pk}.ics"


def meeting_invitation(notification, meeting_id):
    """(file name, .ics text, MIME type) for the email of a meeting
    notification, or None once the meeting is gone: an invitation, or for
    someone taken off the meeting a cancellation."""
    meeting = Meeting.objects.select_related("case").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    number = meeting.case.number
    cancelled = notification.kind == NotificationKind.MEETING_REMOVED
    return (
        meeting_filename(meeting, number),
        meeting_ics(meeting, case_number=number, cancelled=cancelled),
        "text/calendar",
    )
