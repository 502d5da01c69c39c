"""#14: a counselor plans from the library, a teacher ticks sessions on a
phone, four low measurements make the suggestion appear, the counselor
records "intensify" and the chart draws a phase line."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.models import EvaluationEntry, GoalDecision
from interventions import services
from interventions.models import StrategyUse
from referrals.models import ConcernCategory
from tests.casework.factories import accepted_case
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_scroll,
    axe_violations,
    expect,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRATEGY = "Short re-teaching of the prerequisite skills"


def test_from_the_library_to_a_decision(new_page, live_server, world):
    case = accepted_case(world, opened_days_ago=45)
    services.library_install(school=world.school)
    case.referrals.get().categories.set([ConcernCategory.objects.get(school=world.school, code="low_achievement")])
    today = timezone.localdate()

    # The counselor plans from the library: the strategy fills the action.
    counselor = new_page(DESKTOP)
    sign_in(counselor, live_server.url, "counselor")
    counselor.goto(f"{live_server.url}/cases/{case.pk}/")
    counselor.get_by_role("link", name="Plan from the library").click()
    counselor.get_by_role("link", name=re.compile(f"Use this strategy.*{STRATEGY}")).click()
    expect(counselor.locator("#id_description")).to_have_value(STRATEGY)
    expect(counselor.locator("#id_indicator")).to_have_value("Score on a short quiz of the prerequisite skill")
    expect(counselor.locator("#id_frequency")).to_have_value("2 times a week, 20 minutes, for 6 weeks")
    counselor.fill("#id_statement", "Fractions back to the class average")
    counselor.fill("#id_baseline", "50")
    counselor.fill("#id_target", "75")
    counselor.fill("#id_target_date", (today + datetime.timedelta(days=30)).isoformat())
    counselor.get_by_role("button", name="Add to the plan").click()
    expect(counselor.locator(".alert-success")).to_contain_text("The strategy is now a goal and an action of the plan.")
    action = StrategyUse.objects.get().action
    assert (action.responsible, action.sessions_per_week) == (world.teacher, 2)
    goal = action.goal
    # The goal was set six weeks ago (the aim line starts there).
    type(goal).objects.filter(pk=goal.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))

    # The teacher ticks today's session on her phone, in one tap.
    phone = new_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, live_server.url, "teacher")
    phone.goto(f"{live_server.url}/tasks/")
    phone.get_by_role("button", name=re.compile(f"Session held today.*{STRATEGY}")).click()
    expect(phone.locator(f"#session-{action.pk}")).to_contain_text("Today: held")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "tasks-session-held-phone")

    # Four quiz scores below the aim line.
    for days, value in [(30, 50), (22, 52), (14, 51), (6, 53)]:
        EvaluationEntry.objects.create(
            case=case,
            author=world.teacher,
            goal=goal,
            action=action,
            date=today - datetime.timedelta(days=days),
            measured_value=Decimal(value),
        )

    # The caseload says so, and the suggestion shows beside the chart.
    counselor.goto(f"{live_server.url}/cases/")
    expect(counselor.locator("[data-needs-decision='1']")).to_have_count(1)
    counselor.goto(f"{live_server.url}/cases/{case.pk}/")
    advice = counselor.locator(f"#progress-{goal.pk} .progress-advice")
    expect(advice).to_contain_text(
        "The last 4 measurements are below the aim line: consider changing or intensifying the plan."
    )
    expect(counselor.locator(f"#progress-{goal.pk} .aim-line")).to_have_count(1)
    assert axe_violations(counselor) == []
    screenshot(counselor, "case-progress-suggestion-desktop")

    # The counselor records "intensify": a phase line on the chart.
    advice.get_by_role("link", name=re.compile("Record a decision")).click()
    counselor.get_by_label("Intensify the plan").check()
    counselor.fill("#id_reason", "Four quizzes below the line: daily practice instead of twice a week.")
    counselor.get_by_role("button", name="Record decision").click()
    expect(counselor.locator(".alert-success")).to_contain_text("The decision was recorded.")
    assert GoalDecision.objects.get().kind == "intensify"
    expect(counselor.locator(f"#progress-{goal.pk} .phase-line")).to_have_count(1)
    expect(counselor.locator(f"#progress-{goal.pk} .progress-advice")).to_contain_text("Intensify the plan")
    counselor.goto(f"{live_server.url}/cases/")
    expect(counselor.locator("[data-needs-decision='1']")).to_have_count(0)
