import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from casework.ics import meeting_ics
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def test_calendar_file_follows_rfc5545_and_names_no_student(world, login):
    case = planned_case(world)
    meeting = case.meeting
    meeting.place = "Ruang BK, lantai 2; dekat perpustakaan"
    meeting.starts_at = datetime.datetime(2026, 12, 3, 2, 30, tzinfo=datetime.UTC)
    meeting.save()
    response = login(world.teacher).get(reverse("casework:meeting_ics", args=[case.pk, meeting.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="sinergi-{case.number}-meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    for expected in [
        "METHOD:REQUEST",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Jakarta",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@sinergi",
        "DTSTART;TZID=Asia/Jakarta:20261203T093000",
        "DTEND;TZID=Asia/Jakarta:20261203T101500",
        "SEQUENCE:0",
        f"SUMMARY:Case conference {case.number}",
        "LOCATION:Ruang BK\\, lantai 2\\; dekat perpustakaan",
        "END:VEVENT",
    ]:
        assert expected in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert any(line.startswith("ORGANIZER;CN=") for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    for private in ["Andi", "Pratama", "fraction", meeting.agenda]:
        assert private not in text


def test_sequence_follows_changes(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    client.post(
        reverse("casework:meeting_edit", args=[case.pk, case.meeting.pk]),
        {
            "kind": "coordination",
            "starts_at": (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 30,
            "place": "Ruang guru",
            "attendees": [world.counselor.pk, world.teacher.pk],
            "sequence": 0,
        },
    )
    text = client.get(reverse("casework:meeting_ics", args=[case.pk, case.meeting.pk])).content.decode()
    assert "SEQUENCE:1\r\n" in text and f"SUMMARY:Coordination forum {case.number}\r\n" in text


def test_long_places_fold_and_read_back_the_same(world):
    case = planned_case(world)
    meeting = case.meeting
    meeting.place = "Ruang BK; " + "é" * 80 + ", lantai 2"
    text = meeting_ics(meeting, case_number=case.number)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == meeting.place
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert event["ORGANIZER"].params["CN"] == "Dewi Kartika"
    assert {a.params["CN"] for a in event.get("ATTENDEE")} >= {"Sri Wahyuni"}


def test_every_change_raises_the_sequence_and_keeps_the_uid(world):
    from casework import services

    case = planned_case(world)
    meeting = case.meeting
    first = Calendar.from_ical(meeting_ics(meeting, case_number=case.number)).walk("VEVENT")[0]
    services.meeting_update(meeting=meeting, actor=world.counselor, sequence=meeting.sequence, place="Perpustakaan")
    meeting.refresh_from_db()
    second = Calendar.from_ical(meeting_ics(meeting, case_number=case.number)).walk("VEVENT")[0]
    cancel = Calendar.from_ical(meeting_ics(meeting, case_number=case.number, cancelled=True))
    assert second["UID"] == first["UID"] and second["SEQUENCE"] == first["SEQUENCE"] + 1
    assert cancel["METHOD"] == "CANCEL" and cancel.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_meeting_ics_is_importable_by_the_notifications_app(world):
    case = planned_case(world)
    assert "BEGIN:VEVENT" in meeting_ics(case.meeting, case_number=case.number)
