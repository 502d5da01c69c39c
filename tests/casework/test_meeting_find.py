"""Finding a time for a case conference and booking it in one click (issue #13)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.models import Meeting, MeetingKind
from casework.scheduling import propose_slots
from notifications.models import Notification, NotificationKind
from roster.models import Absence, BusyBlock, Holiday, TeachingAssignment
from tests import factories as f
from tests.casework.factories import accepted_case

pytestmark = pytest.mark.django_db
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MONDAY = datetime.datetime(2026, 12, 7, 5, 0, tzinfo=JAKARTA)


def local(day, hour, minute=0):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def timetable(world):
    """Six 40-minute periods from 07:00 (four on Friday); the maths teacher
    teaches VII-A in periods 1 and 2 every day."""
    f.bell_schedule(world.term)
    maths = TeachingAssignment.objects.get(teacher=world.teacher, classroom=world.class_a)
    f.lessons(maths, *[(weekday, n) for weekday in range(5) for n in (1, 2)])
    return world


@time_machine.travel(MONDAY, tick=False)
def test_slots_skip_lessons_meetings_busy_times_and_holidays(timetable):
    world = timetable
    people = [world.teacher, world.counselor, world.vp]
    slots = propose_slots(school=world.school, attendees=people, duration_minutes=40, limit=3)
    assert [s.starts_at for s in slots] == [local(7, 8, 20), local(7, 9, 0), local(7, 9, 40)]
    assert all(s.all_free for s in slots)

    BusyBlock.objects.create(
        school=world.school,
        user=world.vp,
        weekday=0,
        starts_at=datetime.time(8),
        ends_at=datetime.time(11),
        reason="Rapat",
    )
    Absence.objects.create(
        school=world.school,
        user=world.counselor,
        starts_on=datetime.date(2026, 12, 8),
        ends_on=datetime.date(2026, 12, 8),
        reason="Dinas luar",
    )
    Holiday.objects.create(school=world.school, date=datetime.date(2026, 12, 9), name="Libur")
    accepted_case(world)  # a case, to hang a meeting on
    case = accepted_case(world, student=world.student_b)
    meeting = Meeting.objects.create(
        case=case, starts_at=local(10, 8, 20), duration_minutes=40, place="BK", created_by=world.counselor
    )
    meeting.attendees.set([world.counselor])
    slots = propose_slots(school=world.school, attendees=people, duration_minutes=40, limit=1)
    # Monday: the vice principal's meeting; Tuesday: the counselor away;
    # Wednesday: a holiday; Thursday period 3: a Sinergi meeting; so period 4.
    assert [s.starts_at for s in slots] == [local(10, 9, 0)]

    worst = propose_slots(school=world.school, attendees=people, duration_minutes=40, limit=100)
    tuesday = next(s for s in worst if s.starts_at == local(8, 8, 20))
    assert tuesday.busy == [("Dewi Kartika", "absent: Dinas luar")]
    teaching = next(s for s in worst if s.starts_at == local(7, 7, 0))
    assert ("Sri Wahyuni", "teaching Matematika in VII-A") in teaching.busy
    assert not any(s.starts_at.date() == datetime.date(2026, 12, 9) for s in worst)


@time_machine.travel(MONDAY, tick=False)
def test_the_finder_does_a_fixed_number_of_queries(timetable, django_assert_num_queries):
    world = timetable
    people = [world.teacher, world.counselor, world.vp, world.homeroom]
    # current term, holidays, periods, lessons, busy times, absences, case meetings, forum sittings
    with django_assert_num_queries(8):
        propose_slots(school=world.school, attendees=people, duration_minutes=40)
    for user in people:
        for weekday in range(5):
            BusyBlock.objects.create(
                school=world.school,
                user=user,
                weekday=weekday,
                starts_at=datetime.time(12),
                ends_at=datetime.time(13),
                reason="x",
            )
    with django_assert_num_queries(8):
        propose_slots(school=world.school, attendees=people, duration_minutes=40)


@time_machine.travel(MONDAY, tick=False)
def test_counselor_books_a_proposed_slot_in_one_click(timetable, login):
    world = timetable
    case = accepted_case(world)
    client = login(world.counselor)
    page = client.get(reverse("casework:meeting_find", args=[case.pk]))
    assert page.status_code == 200
    slots = page.context["slots"]
    assert slots and slots[0].starts_at == local(7, 8, 20)
    assert "Book this time" in page.text
    # The first proposal's form, as the browser would post it.
    attendees = [str(u.pk) for u in page.context["booking"]["attendees"]]
    response = client.post(
        reverse("casework:meeting_add", args=[case.pk]),
        {
            "kind": MeetingKind.CASE_CONFERENCE,
            "starts_at": "2026-12-07T08:20",
            "duration_minutes": 40,
            "place": "Counseling room",
            "attendees": attendees,
            "form_token": "0" * 32,
        },
    )
    assert response.status_code == 302
    meeting = case.meetings.get()
    assert timezone.localtime(meeting.starts_at) == local(7, 8, 20)
    assert Notification.objects.filter(kind=NotificationKind.MEETING_SCHEDULED, recipient=world.teacher).exists()
    # Booked: the next proposal moves on.
    again = client.get(reverse("casework:meeting_find", args=[case.pk]))
    assert again.context["slots"][0].starts_at == local(7, 9, 0)


@time_machine.travel(MONDAY, tick=False)
def test_other_attendees_and_a_bad_duration(timetable, login):
    world = timetable
    case = accepted_case(world)
    client = login(world.counselor)
    url = reverse("casework:meeting_find", args=[case.pk])
    page = client.get(url, {"attendees": [world.vp.pk, world.counselor.pk], "duration_minutes": 40, "place": "BK"})
    assert page.context["slots"][0].starts_at == local(7, 7, 0)
    bad = client.get(url, {"attendees": [world.vp.pk], "duration_minutes": 0, "place": "BK"})
    assert bad.status_code == 200 and bad.context["form"].errors["duration_minutes"]
    assert bad.context["slots"] == []


def test_only_who_may_lead_the_case_finds_a_time(world, login):
    case = accepted_case(world)
    url = reverse("casework:meeting_find", args=[case.pk])
    assert login(world.teacher).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404


@time_machine.travel(MONDAY, tick=False)
def test_no_bell_schedule_says_so(world, login):
    case = accepted_case(world)
    page = login(world.counselor).get(reverse("casework:meeting_find", args=[case.pk]))
    assert "bell schedule of this term may not be entered yet" in page.text
