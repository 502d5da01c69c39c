"""A colleague of the school invited to a case conference without joining the
case team: attending gives access to that meeting only (#12 point 10)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework.models import Meeting
from notifications.models import Notification, NotificationKind
from tests import factories as f
from tests.casework.factories import accepted_case

pytestmark = pytest.mark.django_db


def _schedule(client, case, attendees, **extra):
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "kind": "case_conference",
        "starts_at": starts,
        "duration_minutes": "45",
        "place": "Ruang Wakasek",
        "agenda": "Attendance plan",
        "attendees": [u.pk for u in attendees],
        **extra,
    }
    return client.post(reverse("casework:meeting_add", args=[case.pk]), data)


def test_colleagues_not_on_the_team_are_offered_as_attendees(world, login):
    case = accepted_case(world)
    page = login(world.counselor).get(reverse("casework:meeting_add", args=[case.pk])).content.decode()
    for user in (world.vp, world.other_teacher, world.counselor2):
        assert f'value="{user.pk}"' in page, user
    assert f'value="{world.outsider.pk}"' not in page  # another school
    assert f'value="{world.admin.pk}"' not in page  # not teaching staff
    # The case page's "schedule a meeting" fetches the same form, with ids of its own.
    url = reverse("casework:meeting_add", args=[case.pk])
    assert f'href="{url}"' in login(world.counselor).get(case.get_absolute_url()).content.decode()
    fragment = login(world.counselor).get(url, {"fragment": "1"}).content.decode()
    assert 'id="id_meeting_add_attendees_' in fragment and f'value="{world.other_teacher.pk}"' in fragment
    assert "<html" not in fragment


def test_an_invited_colleague_sees_that_meeting_only(world, login):
    case = accepted_case(world)
    guest = world.other_teacher  # teaches VIII-B: not on the team, not the student's teacher
    client = login(world.counselor)
    response = _schedule(client, case, [world.counselor, world.vp, guest])
    assert response.status_code == 302
    meeting = Meeting.objects.get(case=case, place="Ruang Wakasek")
    assert set(meeting.attendees.all()) == {world.counselor, world.vp, guest}
    assert not case.members.filter(user__in=[world.vp, guest]).exists()  # not added to the team

    meeting_url = reverse("casework:meeting", args=[case.pk, meeting.pk])
    ics_url = reverse("casework:meeting_ics", args=[case.pk, meeting.pk])
    for user in (world.vp, guest):
        note = Notification.objects.get(recipient=user, kind=NotificationKind.MEETING_SCHEDULED)
        assert note.url == meeting_url
    client = login(guest)
    page = client.get(meeting_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ruang Wakasek" in text and "Attendance plan" in text
    assert case.student.full_name not in text  # nothing else of the case
    assert "Open the case record" not in text
    ics = client.get(ics_url)
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.content.decode()
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("casework:print", args=[case.pk])).status_code == 404
    # The vice principal (who sees the school's cases) opens it too, with a link on to the case.
    vp_page = login(world.vp).get(meeting_url)
    assert vp_page.status_code == 200
    assert "Open the case record" in vp_page.content.decode()
    assert login(world.vp).get(ics_url).status_code == 200


def test_a_teacher_not_invited_gets_404(world, login):
    case = accepted_case(world)
    _schedule(login(world.counselor), case, [world.counselor, world.other_teacher])
    meeting = Meeting.objects.get(case=case, place="Ruang Wakasek")
    stranger = f.staff(world.school, "teacher_c", Role.TEACHER, full_name="Citra Lestari")
    client = login(stranger)
    assert client.get(reverse("casework:meeting", args=[case.pk, meeting.pk])).status_code == 404
    assert client.get(reverse("casework:meeting_ics", args=[case.pk, meeting.pk])).status_code == 404
    assert login(world.outsider).get(reverse("casework:meeting", args=[case.pk, meeting.pk])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("casework:meeting", args=[case.pk, meeting.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_meeting_must_be_of_the_case_in_the_url(world, login):
    case = accepted_case(world)
    other = accepted_case(world, student=world.student_b)
    _schedule(login(world.counselor), case, [world.counselor, world.other_teacher])
    meeting = Meeting.objects.get(case=case, place="Ruang Wakasek")
    for user in (world.other_teacher, world.counselor):
        client = login(user)
        assert client.get(reverse("casework:meeting", args=[other.pk, meeting.pk])).status_code == 404
        assert client.get(reverse("casework:meeting_ics", args=[other.pk, meeting.pk])).status_code == 404


def test_an_attendee_from_another_school_is_refused_next_to_the_field(world, login):
    case = accepted_case(world)
    response = _schedule(login(world.counselor), case, [world.counselor, world.outsider])
    assert response.status_code == 200
    assert response.context["form"].errors["attendees"]
    assert not Meeting.objects.filter(case=case).exists()
