"""Who hears of a meeting change, and the calendar files they get."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework.models import Meeting, MeetingKind
from notifications.models import Notification, NotificationKind
from tests.casework.factories import accepted_case

MEETING_KINDS = (NotificationKind.MEETING_SCHEDULED, NotificationKind.MEETING_CHANGED, NotificationKind.MEETING_REMOVED)


@pytest.fixture
def meeting(world, django_capture_on_commit_callbacks):
    """A case conference in two days (to the minute, as the form saves it)
    for the counselor, the teacher and the homeroom teacher, its invitations
    sent."""
    case = accepted_case(world)
    casework.case_add_member(case=case, user=world.homeroom, role="subject_teacher", actor=world.counselor)
    starts_at = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = casework.meeting_schedule(
            case=case,
            actor=world.counselor,
            kind=MeetingKind.CASE_CONFERENCE,
            starts_at=starts_at,
            duration_minutes=45,
            place="Ruang BK",
            attendees=[world.counselor, world.teacher, world.homeroom],
            agenda="Plan for the next month",
        )
    return Meeting.objects.get(pk=meeting.pk)


def _told():
    """(username, kind) of the meeting notifications made so far."""
    return sorted(
        Notification.objects.filter(kind__in=MEETING_KINDS).values_list("recipient__username", "kind").order_by()
    )


def _update(meeting, by, django_capture_on_commit_callbacks, **changes):
    """Save the meeting as the edit form does: every field, changed or not."""
    fields = {
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "attendees": list(meeting.attendees.all()),
    } | changes
    with django_capture_on_commit_callbacks(execute=True):
        return casework.meeting_update(meeting=meeting, actor=by, sequence=meeting.sequence, **fields)


INVITED = [("homeroom", NotificationKind.MEETING_SCHEDULED), ("teacher", NotificationKind.MEETING_SCHEDULED)]


@pytest.mark.parametrize(
    "changes",
    [
        {"minutes": "Agreed on a weekly attendance card."},
        {"agenda": "1. Progress 2. Attendance"},
        {},  # saved without a change
    ],
)
def test_typing_the_minutes_or_agenda_tells_no_one(
    world, meeting, mailoutbox, django_capture_on_commit_callbacks, changes
):
    mailoutbox.clear()
    updated = _update(meeting, world.counselor, django_capture_on_commit_callbacks, **changes)
    assert updated.sequence == 1  # still a new version of the row
    assert _told() == INVITED
    assert mailoutbox == []


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": "later"},
        {"place": "Ruang rapat"},
        {"duration_minutes": 60},
        {"kind": MeetingKind.COORDINATION},  # the calendar entry's title
    ],
)
def test_a_new_time_place_or_duration_tells_the_attendees(
    world, meeting, mailoutbox, django_capture_on_commit_callbacks, changes
):
    if changes.get("starts_at") == "later":
        changes["starts_at"] = meeting.starts_at + datetime.timedelta(hours=1)
    mailoutbox.clear()
    _update(meeting, world.counselor, django_capture_on_commit_callbacks, minutes="Notes", **changes)
    assert _told() == sorted(
        [*INVITED, ("homeroom", NotificationKind.MEETING_CHANGED), ("teacher", NotificationKind.MEETING_CHANGED)]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.teacher.email, world.homeroom.email])
    for message in mailoutbox:
        ((filename, text, _mimetype),) = message.attachments
        assert "METHOD:REQUEST\r\n" in text and "SEQUENCE:1\r\n" in text
        assert "Notes" not in text and "Notes" not in message.body


def test_only_people_added_get_an_invitation(world, meeting, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    attendees = [world.counselor, world.teacher, world.homeroom, world.counselor2]
    _update(meeting, world.counselor, django_capture_on_commit_callbacks, attendees=attendees)
    assert _told() == sorted([*INVITED, ("counselor2", NotificationKind.MEETING_SCHEDULED)])
    assert [m.to for m in mailoutbox] == [[world.counselor2.email]]
    assert "The calendar invitation is attached." in mailoutbox[0].body


def test_people_taken_off_get_a_cancellation(world, meeting, mailoutbox, django_capture_on_commit_callbacks):
    (invitation,) = [m for m in mailoutbox if m.to == [world.homeroom.email]]
    mailoutbox.clear()
    _update(meeting, world.counselor, django_capture_on_commit_callbacks, attendees=[world.counselor, world.teacher])
    assert _told() == sorted([*INVITED, ("homeroom", NotificationKind.MEETING_REMOVED)])
    (message,) = mailoutbox
    assert message.to == [world.homeroom.email]
    assert "You are no longer invited to a meeting" in message.subject
    assert "You are no longer invited to a case meeting." in message.body
    assert "takes the meeting out of your calendar" in message.body
    assert "invitation is attached" not in message.body
    ((filename, text, mimetype),) = message.attachments
    ((invited_name, invited_text, _mimetype),) = invitation.attachments
    assert filename == invited_name and mimetype == "text/calendar"

    def line(ics, name):
        return next(row for row in ics.split("\r\n") if row.startswith(f"{name}:"))

    assert line(text, "METHOD") == "METHOD:CANCEL" and line(invited_text, "METHOD") == "METHOD:REQUEST"
    assert line(text, "STATUS") == "STATUS:CANCELLED"
    assert line(text, "UID") == line(invited_text, "UID") == f"UID:meeting-{meeting.pk}@sinergi"
    assert int(line(text, "SEQUENCE")[9:]) > int(line(invited_text, "SEQUENCE")[9:])
    assert "Plan for the next month" not in text + message.body


def test_the_edit_page_tells_no_one_when_only_the_minutes_change(
    world, meeting, login, mailoutbox, django_capture_on_commit_callbacks
):
    """The page's form has already written its values into the meeting it
    edits: the service compares with the saved row."""
    mailoutbox.clear()
    form = {
        "kind": meeting.kind,
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "attendees": [world.counselor.pk, world.teacher.pk, world.homeroom.pk],
        "agenda": meeting.agenda,
        "minutes": "Agreed on a weekly attendance card.",
        "sequence": meeting.sequence,
    }
    client = login(world.counselor)
    url = reverse("casework:meeting_edit", args=[meeting.case_id, meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    assert _told() == INVITED and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form | {"place": "Ruang rapat", "sequence": 1}).status_code == 302
    assert ("teacher", NotificationKind.MEETING_CHANGED) in _told()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.teacher.email, world.homeroom.email])
