"""Finding a time for a meeting: the roster's timetable and Sinergi's own
meetings, fed to the pure finder (roster.freeslots). A fixed number of
queries, whatever the number of attendees, lessons and meetings."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Meeting
from roster.freeslots import HORIZON_WEEKS, Slot, find_slots
from roster.selectors import load_timetable

# "When can I talk to the counselor?": a short meeting.
TALK_MINUTES = 20

# Other Sinergi meetings that make people busy, from apps above casework
# (the coordination forum): ``source(school=, user_ids=, since=, until=)``
# returns {user_id: [(start, end, label)]} in naive school time, one query.
_BUSY_SOURCES = []


def register_busy_source(source):
    if source not in _BUSY_SOURCES:
        _BUSY_SOURCES.append(source)


@dataclass
class ProposedSlot:
    slot: Slot
    busy: list  # [(name, reason)] of the attendees who are not free

    @property
    def starts_at(self):
        return timezone.make_aware(self.slot.starts_at)

    @property
    def ends_at(self):
        return timezone.make_aware(self.slot.ends_at)

    @property
    def all_free(self):
        return self.slot.all_free


def _meetings_of(*, school, user_ids, since, until, exclude_meeting=None):
    """{user_id: [(start, end, label)]} of Sinergi meetings, naive school time."""
    rows = Meeting.attendees.through.objects.filter(
        user_id__in=user_ids,
        meeting__case__school=school,
        meeting__starts_at__gte=since - datetime.timedelta(days=1),
        meeting__starts_at__lt=until,
    )
    if exclude_meeting is not None:
        rows = rows.exclude(meeting_id=exclude_meeting.pk)
    found = {}
    for user_id, starts_at, minutes in rows.values_list("user_id", "meeting__starts_at", "meeting__duration_minutes"):
        start = timezone.make_naive(starts_at)
        end = start + datetime.timedelta(minutes=minutes)
        # Neutral: the person choosing a time may not see that case.
        label = _("another Sinergi meeting (%(start)s–%(end)s)") % {
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
        found.setdefault(user_id, []).append((start, end, label))
    return found


def propose_slots(*, school, attendees, duration_minutes, now=None, limit=5, exclude_meeting=None):
    """The best ``limit`` slots in the coming two school weeks for these people
    (users), with who is busy and why. A fixed number of queries (seven, and
    one per registered busy source)."""
    now = timezone.localtime(now or timezone.now())
    attendees = list(attendees)
    user_ids = [u.pk for u in attendees]
    table = load_timetable(school=school, user_ids=user_ids, today=now.date())
    until = timezone.make_aware(datetime.datetime.combine(now.date(), datetime.time()))
    until += datetime.timedelta(weeks=HORIZON_WEEKS + 2)
    table.meetings = _meetings_of(
        school=school, user_ids=user_ids, since=now, until=until, exclude_meeting=exclude_meeting
    )
    for source in _BUSY_SOURCES:
        for user_id, busy in source(school=school, user_ids=user_ids, since=now, until=until).items():
            table.meetings.setdefault(user_id, []).extend(busy)
    slots = find_slots(
        table,
        attendee_ids=user_ids,
        duration=datetime.timedelta(minutes=duration_minutes),
        now=now.replace(tzinfo=None),
        limit=limit,
    )
    names = {u.pk: u.get_full_name() or u.get_username() for u in attendees}
    return [ProposedSlot(s, [(names.get(c.user_id, ""), c.reason) for c in s.clashes]) for s in slots]


def counselor_for(*, student, case=None):
    """Whom a teacher talks to about a student: the case's lead counselor,
    else the counselor covering the student's class."""
    if case is not None and case.lead_counselor_id:
        return case.lead_counselor
    classroom = student.classroom
    return classroom.counselor if classroom is not None else None
