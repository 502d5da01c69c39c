"""The intervention library: the starting set, planning a case from a
strategy, counselors adding and retiring strategies, usage figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from casework.models import Action, EvaluationEntry, Goal
from common.rules import RuleError
from interventions import selectors, services
from interventions.catalogue import STARTING_LIBRARY
from interventions.models import Area, Strategy, StrategyUse
from referrals.models import DEFAULT_CONCERN_CATEGORIES, ConcernCategory
from tests import factories as f
from tests.casework.factories import accepted_case
from tests.casework.test_query_counts import _pinned

pytestmark = pytest.mark.django_db


def test_the_starting_library_covers_every_concern_and_area():
    codes = {c for item in STARTING_LIBRARY for c in item["categories"]}
    assert codes >= {code for code, _ in DEFAULT_CONCERN_CATEGORIES if code != "other"}
    assert {item["area"] for item in STARTING_LIBRARY} == set(Area.values)
    for item in STARTING_LIBRARY:
        assert item["measure"] and item["why"] and item["what"] and item["carried_by"]


def test_install_is_idempotent_and_keeps_retired_strategies_retired(world):
    assert services.library_install(school=world.school) == len(STARTING_LIBRARY)
    strategy = Strategy.objects.for_school(world.school).get(key="peer-tutoring")
    assert {c.code for c in strategy.categories.all()} == {"low_achievement", "social"}
    services.strategy_set_active(actor=world.counselor, strategy=strategy, active=False)
    assert services.library_install(school=world.school) == 0
    assert not Strategy.objects.get(pk=strategy.pk).is_active


def test_seeded_texts_show_in_the_readers_language(world):
    services.library_install(school=world.school)
    strategy = Strategy.objects.for_school(world.school).get(key="peer-tutoring")
    with override("id"):
        assert strategy.title == "Tutor sebaya dengan teman sekelas"
        assert "2 kali seminggu" in strategy.frequency_text()
    with override("en"):
        assert strategy.title == "Peer tutoring with a classmate"
        assert strategy.frequency_text() == "2 times a week, 30 minutes, for 6 weeks"


def _case_with_concern(world, code="low_achievement", **kwargs):
    case = accepted_case(world, **kwargs)
    services.library_install(school=world.school)
    referral = case.referrals.get()
    referral.categories.set([ConcernCategory.objects.get(school=world.school, code=code)])
    return case


def test_the_plan_page_proposes_strategies_for_the_cases_concerns(world, login):
    case = _case_with_concern(world, "attendance")
    response = login(world.counselor).get(reverse("interventions:plan", args=[case.pk]))
    assert response.status_code == 200
    suggested = [s.key for s in response.context["found"].suggested]
    assert set(suggested) == {"check-in-check-out", "attendance-follow-up"}
    assert "Same-day follow-up of every absence" in response.text


def test_picking_a_strategy_fills_the_action_and_the_goals_measure(world, login):
    case = _case_with_concern(world)
    strategy = Strategy.objects.get(school=world.school, key="prerequisite-reteach")
    client = login(world.counselor)
    url = reverse("interventions:plan", args=[case.pk])
    response = client.get(url, {"strategy": strategy.pk})
    form = response.context["form"]
    today = timezone.localdate()
    # Carried out by the subject teacher: the referring teacher on the team.
    assert form.initial["responsible"] == world.teacher
    assert form.initial["indicator"] == "Score on a short quiz of the prerequisite skill"
    assert form.initial["sessions_per_week"] == 2
    assert form.initial["frequency"] == "2 times a week, 20 minutes, for 6 weeks"
    assert form.initial["ends_on"] == today + datetime.timedelta(weeks=6)
    # Everything is editable: the counselor changes the frequency.
    response = client.post(
        url,
        {
            "strategy": strategy.pk,
            "statement": "Fractions again",
            "indicator": "Fractions quiz",
            "baseline": "40",
            "target": "70",
            "unit": "points",
            "target_date": today + datetime.timedelta(weeks=6),
            "description": "Re-teach fractions",
            "responsible": world.teacher.pk,
            "frequency": "3 times a week",
            "sessions_per_week": "3",
            "starts_on": today,
            "ends_on": today + datetime.timedelta(weeks=6),
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(case=case)
    action = Action.objects.get(case=case)
    assert (goal.indicator, goal.baseline, action.goal) == ("Fractions quiz", Decimal(40), goal)
    assert (action.responsible, action.sessions_per_week, action.frequency) == (world.teacher, 3, "3 times a week")
    assert StrategyUse.objects.get().action == action


def test_plan_from_strategy_service_rules(world):
    case = _case_with_concern(world)
    strategy = Strategy.objects.get(school=world.school, key="goal-setting")
    base = {"case": case, "strategy": strategy, "description": "Charting", "responsible": world.counselor}
    with pytest.raises(PermissionDenied):
        services.plan_from_strategy(actor=world.teacher, statement="x", indicator="y", **base)
    with pytest.raises(RuleError):
        services.plan_from_strategy(actor=world.counselor, indicator="y", **base)
    services.library_install(school=world.other_school)
    elsewhere = Strategy.objects.get(school=world.other_school, key="goal-setting")
    with pytest.raises(RuleError):
        services.plan_from_strategy(
            actor=world.counselor, statement="x", indicator="y", **{**base, "strategy": elsewhere}
        )
    # For a goal the plan already has: no new goal.
    action = services.plan_from_strategy(actor=world.counselor, statement="Own goal", indicator="Quiz", **base)
    again = services.plan_from_strategy(actor=world.counselor, goal=action.goal, **base)
    assert again.goal == action.goal
    assert Goal.objects.filter(case=case).count() == 1


def test_plan_form_errors_stay_next_to_the_field(world, login):
    case = _case_with_concern(world)
    strategy = Strategy.objects.get(school=world.school, key="goal-setting")
    url = reverse("interventions:plan", args=[case.pk])
    response = login(world.counselor).post(
        url, {"strategy": strategy.pk, "description": "x", "responsible": world.counselor.pk, "sessions_per_week": "99"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"statement", "indicator", "sessions_per_week"}
    assert not Action.objects.exists()


def test_plan_page_access(world, login):
    case = _case_with_concern(world)
    url = reverse("interventions:plan", args=[case.pk])
    strategy = Strategy.objects.get(school=world.school, key="goal-setting")
    assert login(world.teacher).get(url).status_code == 403
    assert login(world.admin).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.counselor).get(url, {"strategy": "nope"}).status_code == 404
    services.library_install(school=world.other_school)
    other = Strategy.objects.get(school=world.other_school, key="goal-setting")
    assert login(world.counselor).get(url, {"strategy": other.pk}).status_code == 404
    services.strategy_set_active(actor=world.counselor, strategy=strategy, active=False)
    assert login(world.counselor).get(url, {"strategy": strategy.pk}).status_code == 404


def test_library_page_for_each_role(world, login):
    for user in (world.teacher, world.counselor, world.vp):
        response = login(user).get(reverse("interventions:library"))
        assert response.status_code == 200
        assert "Peer tutoring with a classmate" in response.text
    assert login(world.admin).get(reverse("interventions:library")).status_code == 403
    assert "Add a strategy" in login(world.counselor).get(reverse("interventions:library")).text
    assert "Add a strategy" not in login(world.teacher).get(reverse("interventions:library")).text
    filtered = login(world.teacher).get(reverse("interventions:library"), {"concern": "attendance"})
    assert "Peer tutoring" not in filtered.text
    assert "Same-day follow-up of every absence" in filtered.text


def test_counselors_add_and_retire_strategies(world, login):
    client = login(world.counselor)
    client.get(reverse("interventions:library"))
    social = ConcernCategory.objects.get(school=world.school, code="social")
    data = {
        "name": "Buddy at break time",
        "what": "A kind classmate spends break time with the student for two weeks.",
        "area": Area.ENVIRONMENT,
        "categories": [social.pk],
        "carried_by": "homeroom_teacher",
        "sessions_per_week": "5",
        "weeks": "2",
        "measure": "Breaks spent with classmates",
        "why": "Belonging comes before learning.",
    }
    response = client.post(reverse("interventions:add"), data)
    assert response.status_code == 302
    strategy = Strategy.objects.get(name="Buddy at break time")
    assert (strategy.school, strategy.created_by, strategy.key) == (world.school, world.counselor, "")
    assert list(strategy.categories.all()) == [social]
    # The same name twice is a form error.
    response = client.post(reverse("interventions:add"), data)
    assert response.status_code == 200 and "already has a strategy" in response.text
    # Retire: no longer proposed, still listed for counselors.
    response = client.post(reverse("interventions:retire"), {"strategy": strategy.pk, "active": "0"})
    assert response.status_code == 302
    assert not Strategy.objects.get(pk=strategy.pk).is_active
    assert strategy not in selectors.library(school=world.school)[0].strategies
    assert "Retired" in client.get(reverse("interventions:library")).text
    teacher_page = login(world.teacher).get(reverse("interventions:library")).text
    assert "Buddy at break time" not in teacher_page
    # Teachers may not add or retire; another school's strategy is not found.
    assert login(world.teacher).post(reverse("interventions:add"), data).status_code == 403
    assert login(world.teacher).post(reverse("interventions:retire"), {"strategy": strategy.pk}).status_code == 403
    assert login(world.outsider).post(reverse("interventions:retire"), {"strategy": strategy.pk}).status_code == 404


def test_usage_figures_need_five_cases(world, login):
    services.library_install(school=world.school)
    strategy = Strategy.objects.get(school=world.school, key="peer-tutoring")
    for i in range(5):
        student = f.enroll(f.StudentFactory(school=world.school), world.class_a, world.term)
        case = accepted_case(world, student=student)
        action = services.plan_from_strategy(
            case=case,
            actor=world.counselor,
            strategy=strategy,
            statement="Quiz",
            indicator="Quiz",
            baseline=Decimal(50),
            target=Decimal(70),
            description="Peer tutoring",
            responsible=world.teacher,
        )
        if i < 2:  # two of five goals reached their target
            EvaluationEntry.objects.create(
                case=case, author=world.teacher, goal=action.goal, date=timezone.localdate(), measured_value=72
            )
        if i == 3:
            response = login(world.counselor).get(reverse("interventions:library"))
            assert "in fewer than 5 cases: no figures yet" in response.text
    response = login(world.counselor).get(reverse("interventions:library"))
    text = response.text
    assert "in 5 cases" in text and "goals met: 40%" in text
    assert selectors.usage(school=world.school)[strategy.pk] == (5, 5, 2)


@pytest.mark.parametrize("n", [1, 12])
def test_library_query_count_does_not_grow(world, login, django_assert_num_queries, n):
    services.library_install(school=world.school)
    strategy = Strategy.objects.get(school=world.school, key="peer-tutoring")
    for _ in range(n):
        student = f.enroll(f.StudentFactory(school=world.school), world.class_a, world.term)
        case = accepted_case(world, student=student)
        services.plan_from_strategy(
            case=case,
            actor=world.counselor,
            strategy=strategy,
            statement="Q",
            indicator="Q",
            description="Peer tutoring",
            responsible=world.teacher,
        )
    # session, user, savepoint, memberships, "has a library", concerns, strategies,
    # their concerns, usage, unread notifications, release savepoint.
    _pinned(django_assert_num_queries, login(world.counselor), reverse("interventions:library"), 11)
