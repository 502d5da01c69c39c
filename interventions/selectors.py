"""Read-side queries of the intervention library; a fixed number of queries
whatever the size of the library or the number of cases."""

from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Prefetch

from casework.models import EvaluationEntry
from interventions.models import Area, Strategy, StrategyUse
from referrals.models import ConcernCategory

# No figure for a strategy used in fewer cases than this: too few to mean anything.
MIN_CASES_FOR_FIGURES = 5


def _with_categories(qs):
    return qs.prefetch_related(Prefetch("categories", queryset=ConcernCategory.objects.order_by("position", "name")))


def usage(*, school):
    """{strategy id: (cases, goals, goals met)} at the school. A goal counts
    as met when a measurement reached its target. One query."""
    reached_up = EvaluationEntry.objects.filter(
        goal=OuterRef("action__goal"), measured_value__gte=OuterRef("action__goal__target")
    )
    reached_down = EvaluationEntry.objects.filter(
        goal=OuterRef("action__goal"), measured_value__lte=OuterRef("action__goal__target")
    )
    rows = (
        StrategyUse.objects.filter(strategy__school=school)
        .annotate(up=Exists(reached_up), down=Exists(reached_down))
        .values_list(
            "strategy_id",
            "action__case_id",
            "action__goal_id",
            "action__goal__baseline",
            "action__goal__target",
            "up",
            "down",
        )
    )
    cases, goals, met = {}, {}, {}
    for strategy_id, case_id, goal_id, baseline, target, up, down in rows:
        cases.setdefault(strategy_id, set()).add(case_id)
        if goal_id is None or target is None:
            continue
        goals.setdefault(strategy_id, set()).add(goal_id)
        rising = baseline is None or target >= baseline
        if up if rising else down:
            met.setdefault(strategy_id, set()).add(goal_id)
    return {sid: (len(cases[sid]), len(goals.get(sid, ())), len(met.get(sid, ()))) for sid in cases}


def _figures(strategy, used):
    n_cases, n_goals, n_met = used.get(strategy.pk, (0, 0, 0))
    strategy.cases_used = n_cases
    strategy.show_figures = n_cases >= MIN_CASES_FOR_FIGURES
    strategy.met_share = round(100 * n_met / n_goals) if strategy.show_figures and n_goals else None


def library(*, school, category=None, include_retired=False):
    """The library grouped by area: [(area label, [strategies])], each
    strategy with its concerns and usage figures. Three queries."""
    qs = Strategy.objects.for_school(school)
    if not include_retired:
        qs = qs.active()
    if category is not None:
        qs = qs.filter(categories=category)
    strategies = list(_with_categories(qs))
    used = usage(school=school)
    for s in strategies:
        _figures(s, used)
    groups = []
    for area in Area:
        rows = sorted((s for s in strategies if s.area == area), key=lambda s: (not s.is_active, s.title.lower()))
        if rows:
            groups.append(SimpleNamespace(area=area, label=area.label, strategies=rows))
    return groups


def suggestions_for_case(*, case):
    """The school's active strategies, those for the case's concerns first
    (most concerns in common first), each with ``matches``: the concerns it
    shares with the case's referrals. Three queries."""
    concern_ids = set(ConcernCategory.objects.filter(referrals__case=case).values_list("id", flat=True))
    strategies = list(_with_categories(Strategy.objects.for_school(case.school).active()))
    for s in strategies:
        s.matches = [c for c in s.categories.all() if c.pk in concern_ids]
    strategies.sort(key=lambda s: (-len(s.matches), s.area, s.title.lower()))
    return SimpleNamespace(
        suggested=[s for s in strategies if s.matches], others=[s for s in strategies if not s.matches]
    )
