"""“When can I talk to the counselor about this student?” from the case and referral pages (issue #13)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.models import MeetingKind
from notifications.models import Notification, NotificationKind
from referrals.models import Referral
from roster.models import TeachingAssignment
from tests import factories as f
from tests.casework.factories import accepted_case

pytestmark = pytest.mark.django_db
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MONDAY = datetime.datetime(2026, 12, 7, 5, 0, tzinfo=JAKARTA)


@pytest.fixture
def timetable(world):
    f.bell_schedule(world.term)
    maths = TeachingAssignment.objects.get(teacher=world.teacher, classroom=world.class_a)
    f.lessons(maths, (0, 1), (0, 2))
    return world


@time_machine.travel(MONDAY, tick=False)
def test_teacher_books_a_talk_on_the_case(timetable, login):
    world = timetable
    case = accepted_case(world)
    client = login(world.teacher)
    url = reverse("casework:talk_case", args=[case.pk])
    assert url in client.get(case.get_absolute_url()).text
    page = client.get(url)
    first = page.context["slots"][0]
    assert timezone.localtime(first.starts_at).time() == datetime.time(8, 20)  # after her two lessons
    response = client.post(url, {"starts_at": "2026-12-07T08:20", "form_token": "1" * 32})
    meeting = case.meetings.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "casework:meeting", args=[case.pk, meeting.pk]
    )
    assert meeting.kind == MeetingKind.TALK and meeting.duration_minutes == 20
    assert set(meeting.attendees.all()) == {world.teacher, world.counselor}
    note = Notification.objects.get(recipient=world.counselor, kind=NotificationKind.MEETING_SCHEDULED)
    assert note.label == case.number
    # A resend of the same form books nothing more.
    client.post(url, {"starts_at": "2026-12-07T08:20", "form_token": "1" * 32})
    assert case.meetings.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_a_past_time_is_refused(timetable, login):
    case = accepted_case(timetable)
    client = login(timetable.teacher)
    response = client.post(
        reverse("casework:talk_case", args=[case.pk]), {"starts_at": "2026-12-04T08:20"}, follow=True
    )
    assert "This time has passed" in response.text and not case.meetings.exists()
    response = client.post(reverse("casework:talk_case", args=[case.pk]), {"starts_at": "nonsense"})
    assert response.status_code == 200 and not case.meetings.exists()


@time_machine.travel(MONDAY, tick=False)
def test_before_a_case_the_counselor_is_told_the_proposed_time(timetable, login):
    world = timetable
    referral = Referral.objects.create(
        school=world.school, student=world.student_a, referred_by=world.teacher, observation="Sleeps in class."
    )
    client = login(world.teacher)
    url = reverse("casework:talk_referral", args=[referral.pk])
    assert url in client.get(referral.get_absolute_url()).text
    page = client.get(url)
    assert page.context["counselor"] == world.counselor  # covers VII-A
    client.post(url, {"starts_at": "2026-12-07T08:20"})
    note = Notification.objects.get(recipient=world.counselor, kind=NotificationKind.TALK_REQUESTED)
    assert note.label.startswith(f"Referral #{referral.pk} · ") and "08:20" in note.label
    assert "Andi" not in note.label


def test_who_may_ask(world, login):
    case = accepted_case(world)
    referral = case.referrals.first()
    for user, status in [(world.counselor, 403), (world.admin, 404), (world.outsider, 404), (world.other_teacher, 404)]:
        assert login(user).get(reverse("casework:talk_case", args=[case.pk])).status_code == status, user
    assert login(world.teacher).get(reverse("casework:talk_referral", args=[referral.pk])).status_code == 200
    assert login(world.other_teacher).get(reverse("casework:talk_referral", args=[referral.pk])).status_code == 404
