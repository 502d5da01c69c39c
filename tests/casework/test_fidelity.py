"""Fidelity: sessions ticked held or not held from /tasks/, planned vs held on
the case, and the rule that checks the plan was carried out before "change"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Action, ActionSession
from common.rules import RuleError
from tests.casework.test_decisions import days_ago, lagging_goal

pytestmark = pytest.mark.django_db


def _action(world, goal, per_week=2, starts=28):
    action = services.action_add(
        case=goal.case,
        actor=world.counselor,
        description="Fraction practice",
        responsible=world.teacher,
        goal=goal,
        frequency="twice a week",
        sessions_per_week=per_week,
        starts_on=days_ago(starts - 1),
    )
    return action


@pytest.fixture
def goal(world):
    return lagging_goal(world)


def test_the_teacher_ticks_a_session_held_in_one_tap(world, login, goal):
    action = _action(world, goal)
    client = login(world.teacher)
    tasks = client.get(reverse("casework:tasks")).text
    assert "Session held today" in tasks
    url = reverse("casework:action_session", args=[goal.case.pk, action.pk])
    response = client.post(url, {"held": "1", "next": reverse("casework:tasks")})
    assert response.status_code == 302 and response["Location"] == reverse("casework:tasks")
    session = ActionSession.objects.get()
    assert (session.held, session.date, session.recorded_by) == (True, timezone.localdate(), world.teacher)
    assert "Today: held" in client.get(reverse("casework:tasks")).text
    # Ticking again the same day corrects it, never doubles it.
    client.post(url, {"held": "0", "reason": "School trip"})
    session = ActionSession.objects.get()
    assert (session.held, session.reason) == (False, "School trip")


def test_not_held_needs_a_reason(world, login, goal):
    action = _action(world, goal)
    url = reverse("casework:action_session", args=[goal.case.pk, action.pk])
    response = login(world.teacher).post(url, {"held": "0", "reason": " "})
    assert response.status_code == 200
    assert "why the session was not held" in response.text
    assert not ActionSession.objects.exists()


def test_session_rules(world, goal):
    action = _action(world, goal)
    with pytest.raises(PermissionDenied):
        services.session_record(action=action, actor=world.homeroom)
    with pytest.raises(RuleError):
        services.session_record(action=action, actor=world.teacher, date=timezone.localdate() + datetime.timedelta(1))
    with pytest.raises(RuleError):
        services.session_record(action=action, actor=world.teacher, date=days_ago(40))
    Action.objects.filter(pk=action.pk).update(status="done")
    action.refresh_from_db()
    with pytest.raises(RuleError):
        services.session_record(action=action, actor=world.teacher)


def test_session_access(world, login, goal):
    action = _action(world, goal)
    url = reverse("casework:action_session", args=[goal.case.pk, action.pk])
    assert login(world.homeroom).post(url, {"held": "1"}).status_code == 403
    assert login(world.outsider).post(url, {"held": "1"}).status_code == 404
    assert login(world.teacher).get(url).status_code == 405
    assert login(world.counselor).post(url, {"held": "1"}).status_code == 302


def test_the_case_shows_planned_vs_held_and_low_fidelity_comes_first(world, login, goal):
    action = _action(world, goal, per_week=2, starts=28)  # 4 weeks: 8 sessions planned
    for n in (1, 8, 15):
        services.session_record(action=action, actor=world.teacher, date=days_ago(n))
    page = login(world.counselor).get(reverse("casework:detail", args=[goal.case.pk])).text
    assert "Sessions: 3 held of 8 planned" in page
    assert 'data-suggestion="check_fidelity"' in page
    assert "first check that the plan was carried out" in page
    # Once 80% of the sessions were held, the suggestion is to change the plan.
    for n in (2, 9, 16):
        services.session_record(action=action, actor=world.teacher, date=days_ago(n))
    page = login(world.counselor).get(reverse("casework:detail", args=[goal.case.pk])).text
    assert "Sessions: 6 held of 8 planned" in page
    assert 'data-suggestion="check_fidelity"' in page
    services.session_record(action=action, actor=world.teacher, date=days_ago(3))
    page = login(world.counselor).get(reverse("casework:detail", args=[goal.case.pk])).text
    assert 'data-suggestion="change"' in page


def test_a_guardians_export_holds_the_decisions_and_sessions(world, goal):
    from privacy.export import _case

    action = _action(world, goal)
    services.session_record(action=action, actor=world.teacher, held=False, reason="Sports day")
    services.goal_decide(goal=goal, actor=world.counselor, kind="intensify", reason="Four low quizzes")
    data = _case(goal.case)
    assert data["progress_decisions"][0]["reason"] == "Four low quizzes"
    assert data["sessions"][0]["why_not_held"] == "Sports day"
