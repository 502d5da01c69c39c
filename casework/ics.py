"""A meeting as an iCalendar file (RFC 5545 with iTIP's METHOD, RFC 5546),
written with the ``icalendar`` library.

It names the case number, the kind of meeting and the place only: no student
name, no concerns and no notes, because calendar files travel (email, phones,
shared calendars). The notifications app attaches the same text to emails.

Phone calendars update the same event instead of adding a second one because
the UID never changes, the SEQUENCE rises with every change of the meeting
(casework.services bumps it), the ORGANIZER is the colleague who scheduled it,
an invitation is METHOD:REQUEST and a withdrawal METHOD:CANCEL, and the times
are in the school's zone (Asia/Jakarta) with its VTIMEZONE.
"""

import datetime
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from casework.models import Meeting, MeetingKind
from notifications.models import NotificationKind

PRODID = "-//Sinergi//Case meetings//EN"


def meeting_summary(meeting, case_number):
    if meeting.kind == MeetingKind.TALK:
        return _("Talk with the counselor %(number)s") % {"number": case_number}
    if meeting.kind == MeetingKind.COORDINATION:
        return _("Coordination forum %(number)s") % {"number": case_number}
    return _("Case conference %(number)s") % {"number": case_number}


def _address(user):
    """A calendar user address: the person's email, else Sinergi's sender (a
    calendar needs an address), with their name."""
    email = getattr(user, "email", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@sinergi.local"
    address = vCalAddress(f"mailto:{email}")
    name = user.get_full_name() if user is not None else ""
    if name:
        address.params["CN"] = vText(name)
    return address


def calendar_event(
    *, uid, summary, starts_at, minutes, place, url, sequence, organizer, attendees=(), now=None, cancelled=False
):
    """The text of a .ics file with one VEVENT (meetings and forums alike)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = timezone.localtime(starts_at, zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=minutes))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("location", place)
    event.add("url", url)
    event.add("organizer", _address(organizer))
    for person in attendees:
        address = _address(person)
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def meeting_ics(meeting, *, case_number, now=None, cancelled=False):
    """The meeting's .ics. ``cancelled`` takes it out of the calendar of someone
    no longer invited: METHOD:CANCEL with the same UID and the meeting's
    current SEQUENCE, which every change bumps, so it is higher than that of
    any invitation they received."""
    url = settings.SITE_URL + reverse("casework:detail", args=[meeting.case_id]) + f"#meeting-{meeting.pk}"
    return calendar_event(
        uid=f"meeting-{meeting.pk}@sinergi",
        summary=meeting_summary(meeting, case_number),
        starts_at=meeting.starts_at,
        minutes=meeting.duration_minutes,
        place=meeting.place,
        url=url,
        sequence=meeting.sequence,
        organizer=meeting.created_by,
        attendees=list(meeting.attendees.all()),
        now=now,
        cancelled=cancelled,
    )


def meeting_filename(meeting, case_number):
    return f"sinergi-{case_number}-meeting-{meeting.pk}.ics"


def meeting_invitation(notification, meeting_id):
    """(file name, .ics text, MIME type) for the email of a meeting
    notification, or None once the meeting is gone: an invitation, or for
    someone taken off the meeting a cancellation."""
    meeting = Meeting.objects.select_related("case", "created_by").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    number = meeting.case.number
    cancelled = notification.kind == NotificationKind.MEETING_REMOVED
    return (
        meeting_filename(meeting, number),
        meeting_ics(meeting, case_number=number, cancelled=cancelled),
        "text/calendar",
    )
