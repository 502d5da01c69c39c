import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.ics import escape, fold, meeting_ics
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
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@sinergi",
        "DTSTART:20261203T023000Z",
        "DTEND:20261203T031500Z",
        "SEQUENCE:0",
        f"SUMMARY:Case conference {case.number}",
        "LOCATION:Ruang BK\\, lantai 2\\; dekat perpustakaan",
        "END:VEVENT",
    ]:
        assert expected in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
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


def test_escaping_and_folding():
    assert escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    long = "LOCATION:" + "é" * 80
    folded = fold(long)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == long


def test_meeting_ics_is_importable_by_the_notifications_app(world):
    case = planned_case(world)
    assert "BEGIN:VEVENT" in meeting_ics(case.meeting, case_number=case.number)
