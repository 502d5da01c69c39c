"""Writes of the intervention library (the contract of casework.services:
atomic, keyword-only, ``actor=``, RuleError for a broken rule)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.policy import as_actor, may_lead_case, may_manage_library
from casework import services as casework
from common.rules import RuleError
from interventions.catalogue import STARTING_LIBRARY
from interventions.models import Strategy, StrategyUse
from referrals.models import ConcernCategory
from referrals.services import ensure_default_categories


@transaction.atomic
def library_install(*, school):
    """Give the school the strategies of the starting library it lacks (by
    key; a retired one stays retired). Returns how many were added."""
    ensure_default_categories(school)
    have = set(Strategy.objects.for_school(school).exclude(key="").values_list("key", flat=True))
    categories = {c.code: c for c in ConcernCategory.objects.for_school(school)}
    added = 0
    for item in STARTING_LIBRARY:
        if item["key"] in have:
            continue
        fields = {k: v for k, v in item.items() if k != "categories"}
        strategy = Strategy.objects.create(school=school, **fields)
        strategy.categories.set([categories[c] for c in item["categories"] if c in categories])
        added += 1
    return added


def _require_manager(actor):
    actor = as_actor(actor)
    if not may_manage_library(actor):
        raise PermissionDenied
    return actor


@transaction.atomic
def strategy_add(*, actor, categories=(), **fields):
    """A strategy the school's counselors add to their library."""
    actor = _require_manager(actor)
    if any(c.school_id != actor.school.pk for c in categories):
        raise RuleError(_("Choose concerns of your school."), field="categories")
    if Strategy.objects.for_school(actor.school).filter(name__iexact=fields["name"].strip(), is_active=True).exists():
        raise RuleError(_("The library already has a strategy of that name."), field="name")
    strategy = Strategy.objects.create(school=actor.school, created_by=actor.user, **fields)
    strategy.categories.set(categories)
    return strategy


@transaction.atomic
def strategy_set_active(*, actor, strategy, active):
    """Retire a strategy (it is no longer proposed; its figures stay) or bring it back."""
    actor = _require_manager(actor)
    if strategy.school_id != actor.school.pk:
        raise PermissionDenied
    Strategy.objects.filter(pk=strategy.pk).update(is_active=active)
    strategy.is_active = active
    return strategy


@transaction.atomic
def plan_from_strategy(
    *,
    case,
    actor,
    strategy,
    description,
    responsible,
    goal=None,
    statement="",
    indicator="",
    baseline=None,
    target=None,
    unit="",
    target_date=None,
    frequency="",
    sessions_per_week=None,
    starts_on=None,
    ends_on=None,
):
    """A goal (new, or one of the plan's) and an action from a library
    strategy, as the counselor edited them; the action remembers its strategy."""
    actor = as_actor(actor)
    if not may_lead_case(actor):
        raise PermissionDenied
    if strategy.school_id != case.school_id or not strategy.is_active:
        raise RuleError(_("That strategy is not in your school's library."))
    if goal is None:
        if not statement.strip():
            raise RuleError(_("Say what the goal is, or choose a goal of the plan."), field="statement")
        if not indicator.strip():
            raise RuleError(_("Say what is measured."), field="indicator")
        goal = casework.goal_add(
            case=case,
            actor=actor,
            statement=statement,
            indicator=indicator,
            baseline=baseline,
            target=target,
            unit=unit,
            target_date=target_date,
        )
    action = casework.action_add(
        case=case,
        actor=actor,
        description=description,
        responsible=responsible,
        goal=goal,
        frequency=frequency,
        sessions_per_week=sessions_per_week,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    StrategyUse.objects.create(strategy=strategy, action=action)
    return action
