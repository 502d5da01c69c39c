"""Decision rules on the case page and the caseload, and the counselor's decision."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import CaseEvent, CaseEventKind, DecisionKind, EvaluationEntry, Goal, GoalDecision
from common.rules import RuleError
from tests import factories as f
from tests.casework.factories import accepted_case
from tests.casework.test_query_counts import CASELOAD_QUERIES_CACHED, _pinned

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def lagging_goal(world, case=None, values=(50, 51, 51, 52), *, student=None):
    """A goal set 40 days ago (50 -> 70 in 100 days) with measurements below the aim line."""
    case = case or accepted_case(world, student=student, opened_days_ago=45)
    goal = services.goal_add(
        case=case,
        actor=case.lead_counselor,
        statement="Maths score back to the class average",
        indicator="Weekly quiz",
        baseline=Decimal(50),
        target=Decimal(70),
        unit="points",
        target_date=days_ago(40) + datetime.timedelta(days=100),
    )
    Goal.objects.filter(pk=goal.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    goal.refresh_from_db()
    for i, value in enumerate(values):
        EvaluationEntry.objects.create(
            case=case, author=world.teacher, goal=goal, date=days_ago(30 - 8 * i), measured_value=value
        )
    return goal


def test_four_low_points_show_the_suggestion_beside_the_chart(world, login):
    goal = lagging_goal(world)
    response = login(world.counselor).get(reverse("casework:detail", args=[goal.case.pk]))
    assert response.status_code == 200
    text = response.text
    assert "The last 4 measurements are below the aim line: consider changing or intensifying the plan." in text
    assert 'data-suggestion="change"' in text
    assert "aim-line" in text
    assert reverse("casework:goal_decide", args=[goal.case.pk, goal.pk]) in text


def test_the_team_reads_the_suggestion_but_cannot_decide(world, login):
    goal = lagging_goal(world)
    response = login(world.teacher).get(reverse("casework:detail", args=[goal.case.pk]))
    assert "consider changing or intensifying the plan" in response.text
    assert reverse("casework:goal_decide", args=[goal.case.pk, goal.pk]) not in response.text
    url = reverse("casework:goal_decide", args=[goal.case.pk, goal.pk])
    assert login(world.teacher).post(url, {"kind": "intensify", "reason": "x"}).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    assert not GoalDecision.objects.exists()


def test_three_points_are_not_enough(world, login):
    goal = lagging_goal(world, values=(50, 51, 51))
    response = login(world.counselor).get(reverse("casework:detail", args=[goal.case.pk]))
    assert 'data-suggestion="collecting"' in response.text


def test_the_counselor_records_intensify_and_a_phase_line_is_drawn(world, login):
    goal = lagging_goal(world)
    client = login(world.counselor)
    url = reverse("casework:goal_decide", args=[goal.case.pk, goal.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "intensify", "reason": "Four quizzes below the line: daily practice.", "decided_on": days_ago(0)}
    )
    assert response.status_code == 302
    decision = GoalDecision.objects.get()
    assert (decision.kind, decision.goal, decision.decided_by) == (DecisionKind.INTENSIFY, goal, world.counselor)
    assert CaseEvent.objects.filter(case=goal.case, kind=CaseEventKind.PROGRESS_DECISION).exists()
    page = client.get(reverse("casework:detail", args=[goal.case.pk])).text
    assert "phase-line" in page
    assert "Four quizzes below the line: daily practice." in page
    # After the phase line the rules start counting again.
    assert 'data-suggestion="collecting"' in page


def test_bad_decisions_are_form_errors(world, login):
    goal = lagging_goal(world)
    client = login(world.counselor)
    url = reverse("casework:goal_decide", args=[goal.case.pk, goal.pk])
    future = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(url, {"kind": "change", "reason": "Later", "decided_on": future})
    assert response.status_code == 200
    assert "cannot be in the future" in response.text
    response = client.post(url, {"kind": "nonsense", "reason": "", "decided_on": "yesterday"})
    assert response.status_code == 200
    assert not GoalDecision.objects.exists()


def test_goal_decide_service_rules(world):
    goal = lagging_goal(world)
    with pytest.raises(PermissionDenied):
        services.goal_decide(goal=goal, actor=world.teacher, kind=DecisionKind.CHANGE, reason="x")
    with pytest.raises(RuleError):
        services.goal_decide(
            goal=goal, actor=world.counselor, kind=DecisionKind.CHANGE, reason="x", decided_on=days_ago(60)
        )
    with pytest.raises(RuleError):
        services.goal_decide(goal=goal, actor=world.counselor, kind=DecisionKind.CHANGE, reason="  ")
    decision = services.goal_decide(goal=goal, actor=world.counselor, kind=DecisionKind.CONTINUE, reason="Exams")
    assert not decision.draws_phase_line
    assert services.goal_decide(goal=goal, actor=world.counselor, kind="change", reason="New").draws_phase_line


def _needs_decision(response):
    return {c.pk: c.needs_decision for c in response.context["page_obj"]}


def test_caseload_column_needs_a_decision(world, login):
    goal = lagging_goal(world)
    quiet = lagging_goal(
        world,
        values=(60, 51, 51, 52),
        student=f.enroll(f.StudentFactory(school=world.school), world.class_a, world.term),
    )
    client = login(world.counselor)
    response = client.get(reverse("casework:caseload"))
    assert _needs_decision(response) == {goal.case.pk: True, quiet.case.pk: False}
    assert "Needs a decision" in response.text
    # Deciding (even "continue") answers it until the next measurement.
    services.goal_decide(goal=goal, actor=world.counselor, kind=DecisionKind.CONTINUE, reason="Exams week")
    assert _needs_decision(client.get(reverse("casework:caseload")))[goal.case.pk] is False
    EvaluationEntry.objects.create(
        case=goal.case, author=world.teacher, goal=goal, date=timezone.localdate(), measured_value=52
    )
    assert _needs_decision(client.get(reverse("casework:caseload")))[goal.case.pk] is True


@pytest.mark.parametrize("n", [1, 30])
def test_caseload_with_the_column_keeps_its_query_count(world, login, django_assert_num_queries, n):
    for _ in range(n):
        student = f.enroll(f.StudentFactory(school=world.school), world.class_a, world.term)
        goal = lagging_goal(world, student=student)
        services.goal_decide(
            goal=goal, actor=world.counselor, kind=DecisionKind.CHANGE, reason="New", decided_on=days_ago(25)
        )
    # The filter's fields come from the cache on the counted request (common.form_cache).
    response = _pinned(
        django_assert_num_queries, login(world.counselor), reverse("casework:caseload"), CASELOAD_QUERIES_CACHED
    )
    assert len(response.context["page_obj"]) == n


def test_cases_needing_decision_for_the_forums_agenda(world, django_assert_num_queries):
    from accounts.policy import Actor
    from casework.selectors import cases_needing_decision

    goal = lagging_goal(world)
    student = f.enroll(f.StudentFactory(school=world.school), world.class_a, world.term)
    lagging_goal(world, values=(60, 51, 51, 52), student=student)
    actor = Actor(world.counselor)
    actor.school  # noqa: B018 (memberships loaded outside the count)
    # The cases, their goals' measurements, their decisions.
    with django_assert_num_queries(3):
        found = cases_needing_decision(actor=actor)
    assert [c.pk for c in found] == [goal.case_id]
    assert cases_needing_decision(actor=Actor(world.outsider)) == []
