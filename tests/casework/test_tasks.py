import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Action, ActionStatus, EvaluationEntry
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db
URL = reverse("casework:tasks")


def _day(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_it_lists_my_actions_and_follow_ups_across_cases(world, login):
    case = planned_case(world)
    response = login(world.teacher).get(URL)
    assert "My tasks" in response.text
    assert "Ten minutes of fraction practice after class" in response.text
    assert "Due this week" in response.text
    assert "No follow-ups planned." in response.text  # the follow-up is the counselor's
    counselor = login(world.counselor).get(URL)
    assert f"Follow up on {_day(7):%-d %B %Y}" in counselor.text
    assert "Ten minutes of fraction practice" not in counselor.text
    assert case.number in counselor.text


def test_done_in_one_step_without_a_note(world, login):
    case = planned_case(world)
    client = login(world.teacher)
    entries = EvaluationEntry.objects.count()
    response = client.post(reverse("casework:action_done", args=[case.pk, case.action.pk]), {"next": URL}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "No open actions. Well done." in response.text
    assert Action.objects.get(pk=case.action.pk).status == ActionStatus.DONE
    assert EvaluationEntry.objects.count() == entries


def test_done_with_a_bad_value_shows_the_error_and_saves_nothing(world, login):
    case = planned_case(world)
    client = login(world.teacher)
    response = client.post(
        reverse("casework:action_done", args=[case.pk, case.action.pk]), {"measured_value": "lots", "next": URL}
    )
    assert response.status_code == 200
    assert "Enter a number." in response.text
    assert Action.objects.get(pk=case.action.pk).status == ActionStatus.PLANNED


def test_done_twice_is_refused_with_a_message(world, login):
    case = planned_case(world)
    client = login(world.teacher)
    url = reverse("casework:action_done", args=[case.pk, case.action.pk])
    client.post(url)
    response = client.post(url)
    assert response.status_code == 200
    assert "This action is already done or cancelled." in response.text


def test_an_unsafe_next_is_ignored(world, login):
    case = planned_case(world)
    response = login(world.teacher).post(
        reverse("casework:action_done", args=[case.pk, case.action.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("casework:detail", args=[case.pk]) + "#plan"


def test_follow_up_done_with_a_new_measurement_and_date(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    response = client.post(
        reverse("casework:follow_up_done", args=[case.pk, case.entry.pk]),
        {"note": "Checked again", "measured_value": "61", "next_follow_up": _day(10).isoformat(), "next": URL},
        follow=True,
    )
    assert "Follow-up done." in response.text
    assert f"Follow up on {_day(10):%-d %B %Y}" in response.text
    new = EvaluationEntry.objects.get(note="Checked again")
    assert new.goal == case.goal and new.measured_value == 61
    assert EvaluationEntry.objects.get(pk=case.entry.pk).follow_up_done_at is not None


def test_follow_up_done_without_anything_just_settles_it(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    client.post(reverse("casework:follow_up_done", args=[case.pk, case.entry.pk]), {"next": URL})
    assert "No follow-ups planned." in client.get(URL).text
    refused = client.post(reverse("casework:follow_up_done", args=[case.pk, case.entry.pk]), {})
    assert "This follow-up is already done." in refused.text
