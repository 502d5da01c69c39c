"""Actions under way once entries are logged, and what closing does with open actions (#12)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import services
from casework.models import Action, ActionStatus, CaseEvent, CaseEventKind, CaseStatus, EntryKind, Outcome
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def _log(case, action, actor):
    return services.entry_add(
        case=case, actor=Actor(actor), kind=EntryKind.PROGRESS_CHECK, date=timezone.localdate(), action=action
    )


def test_an_action_with_a_logged_entry_is_in_progress(world):
    case = planned_case(world)
    assert case.action.status == ActionStatus.PLANNED
    _log(case, case.action, world.teacher)
    action = Action.objects.get(pk=case.action.pk)
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.get_status_display() == "In progress"


def test_a_logged_entry_leaves_a_done_action_done(world):
    case = planned_case(world)
    services.action_done(action=case.action, actor=Actor(world.teacher), note="Finished")
    assert Action.objects.get(pk=case.action.pk).status == ActionStatus.DONE


def test_the_case_page_shows_the_action_under_way(world, client):
    case = planned_case(world)
    _log(case, case.action, world.teacher)
    client.force_login(world.counselor)
    response = client.get(reverse("casework:detail", args=[case.pk]))
    assert "In progress" in response.text


def test_closing_ends_each_open_action_as_chosen_and_says_so_in_the_timeline(world):
    case = planned_case(world)
    second = services.action_add(case=case, actor=world.counselor, description="Call home", responsible=world.teacher)
    services.case_close(
        case=case,
        actor=Actor(world.counselor),
        outcome=Outcome.IMPROVED,
        final_note="Better",
        action_endings={case.action.pk: ActionStatus.DONE, second.pk: ActionStatus.CANCELLED},
    )
    done, dropped = Action.objects.get(pk=case.action.pk), Action.objects.get(pk=second.pk)
    assert done.status == ActionStatus.DONE and done.completed_at is not None
    assert dropped.status == ActionStatus.CANCELLED and dropped.completed_at is None
    events = CaseEvent.objects.filter(case=case, kind__in=[CaseEventKind.ACTION_DONE, CaseEventKind.ACTION_DROPPED])
    assert {(e.kind, e.data["action"]) for e in events} == {
        (CaseEventKind.ACTION_DONE, case.action.pk),
        (CaseEventKind.ACTION_DROPPED, second.pk),
    }


def test_closing_drops_the_open_actions_it_was_not_told_about(world):
    case = planned_case(world)
    services.case_close(case=case, actor=Actor(world.counselor), outcome=Outcome.IMPROVED, final_note="Better")
    assert not Action.objects.filter(case=case, status__in=services.OPEN_ACTION_STATUSES).exists()


def test_the_close_form_asks_about_each_open_action(world, client):
    case = planned_case(world)
    url = reverse("casework:close", args=[case.pk])
    client.force_login(world.counselor)
    page = client.get(url)
    field = f"action_{case.action.pk}"
    assert f'name="{field}"' in page.text and "Dropped" in page.text
    # The case page links to the form and draws it when opened (the form alone, ?fragment=1).
    assert f'href="{url}"' in client.get(reverse("casework:detail", args=[case.pk])).text
    assert f'name="{field}"' in client.get(url, {"fragment": "1"}).text

    # Not answered: the error sits next to the action and nothing is closed.
    response = client.post(url, {"outcome": Outcome.IMPROVED, "final_note": "Better"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["Say whether this action was done or is dropped."]
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED

    response = client.post(url, {"outcome": Outcome.IMPROVED, "final_note": "Better", field: "done"}, follow=True)
    assert "The case was closed." in response.text
    assert Action.objects.get(pk=case.action.pk).status == ActionStatus.DONE
    assert "Action done" in response.text  # the timeline line


def test_a_forged_ending_is_answered_next_to_the_field(world, client):
    case = planned_case(world)
    client.force_login(world.counselor)
    response = client.post(
        reverse("casework:close", args=[case.pk]),
        {"outcome": Outcome.IMPROVED, "final_note": "Better", f"action_{case.action.pk}": "planned"},
    )
    assert response.status_code == 200
    assert f"action_{case.action.pk}" in response.context["form"].errors


def test_the_close_form_escapes_the_action_and_the_person(world, client):
    case = planned_case(world)
    Action.objects.filter(pk=case.action.pk).update(description="<b>Practice</b>")
    world.teacher.full_name = "<i>Sri</i>"
    world.teacher.save()
    client.force_login(world.counselor)
    page = client.get(reverse("casework:close", args=[case.pk])).text
    assert "<b>Practice" not in page and "<i>Sri" not in page
    assert "&lt;b&gt;Practice" in page and "&lt;i&gt;Sri" in page
