"""Two people editing the same plan item at once: the second save is refused
with a clear message, the current values and their own version shown."""

import re

import pytest
from django.urls import reverse

from casework import services
from casework.models import Action, Case, Goal, Meeting
from casework.services import StaleEdit
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def _hidden(html, name):
    return re.search(rf'name="{name}" value="(\d+)"', html).group(1)


def test_second_save_of_a_goal_is_refused_and_loses_nothing(world, client):
    case = planned_case(world)
    url = reverse("casework:goal_edit", args=[case.pk, case.goal.pk])
    client.force_login(world.counselor)
    version_a = _hidden(client.get(url).text, "version")
    client.force_login(world.counselor2)
    version_b = _hidden(client.get(url).text, "version")
    assert version_a == version_b == "1"

    form = {"statement": "Maths score at 70", "indicator": "Weekly quiz", "baseline": "55", "target": "70"}
    client.force_login(world.counselor)
    assert client.post(url, {**form, "version": version_a}).status_code == 302

    client.force_login(world.counselor2)
    response = client.post(url, {**form, "statement": "Maths score at 80", "target": "80", "version": version_b})
    assert response.status_code == 409
    assert "Someone else saved this item while you were editing it. Your changes were not saved." in response.text
    assert "Your version (not saved)" in response.text
    assert "Maths score at 80" in response.text  # what they typed, shown back
    assert 'value="Maths score at 70"' in response.text  # the form holds the current values
    assert _hidden(response.text, "version") == "2"
    goal = Goal.objects.get(pk=case.goal.pk)
    assert (goal.statement, goal.target, goal.version) == ("Maths score at 70", 70, 2)

    # Saving again from the refreshed form works.
    response = client.post(url, {**form, "statement": "Maths score at 80", "target": "80", "version": "2"})
    assert response.status_code == 302
    assert Goal.objects.get(pk=case.goal.pk).statement == "Maths score at 80"


def test_second_save_of_an_action_is_refused(world, login):
    case = planned_case(world)
    url = reverse("casework:action_edit", args=[case.pk, case.action.pk])
    client = login(world.counselor)
    form = {
        "description": "Fraction practice",
        "responsible": world.teacher.pk,
        "goal": case.goal.pk,
        "status": "in_progress",
        "version": 1,
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "responsible": world.homeroom.pk, "status": "planned"})
    assert response.status_code == 409
    assert "Your changes were not saved." in response.text
    action = Action.objects.get(pk=case.action.pk)
    assert action.responsible == world.teacher and action.status == "in_progress" and action.version == 2


def test_second_save_of_a_meeting_is_refused(world, login):
    case = planned_case(world)
    meeting = case.meeting
    url = reverse("casework:meeting_edit", args=[case.pk, meeting.pk])
    client = login(world.counselor)
    form = {
        "kind": "case_conference",
        "starts_at": "2030-01-10T09:00",
        "duration_minutes": 45,
        "place": "Ruang BK",
        "attendees": [world.counselor.pk, world.teacher.pk],
        "minutes": "First minutes",
        "sequence": meeting.sequence,
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "minutes": "Other minutes"})
    assert response.status_code == 409
    assert "Other minutes" in response.text
    assert Meeting.objects.get(pk=meeting.pk).minutes == "First minutes"


def test_second_save_of_the_shared_summary_is_refused(world, login):
    case = planned_case(world)
    url = reverse("casework:summary", args=[case.pk])
    client = login(world.counselor)
    assert client.post(url, {"summary": "First", "version": case.version}).status_code == 302
    response = client.post(url, {"summary": "Second", "version": case.version})
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).summary == "First"


def test_the_service_refuses_a_stale_version(world):
    case = planned_case(world)
    services.goal_update(goal=case.goal, actor=world.counselor, version=1, unit="marks")
    with pytest.raises(StaleEdit) as refused:
        services.goal_update(goal=Goal.objects.get(pk=case.goal.pk), actor=world.counselor2, version=1, unit="pts")
    assert refused.value.current.unit == "marks"
