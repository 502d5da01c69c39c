"""Read-side queries of the intervention library; a fixed number of queries
whatever the size of the library or the number of cases."""

from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from casework.models import Case, EvaluationEntry, Goal
from interventions.models import Area, Group, GroupAttendance, GroupMember, Strategy, StrategyUse
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


# Group interventions ------------------------------------------------------------


def groups_for(*, actor):
    """The groups the actor may open, with their number of current members. One query."""
    return list(
        Group.objects.visible_to(actor)
        .select_related("leader", "strategy")
        .annotate(current=Count("members", filter=Q(members__left_on__isnull=True)))
    )


def group_page(*, group, actor, today):
    """A group's members side by side and its register, showing each student
    only to people who may see the student's case or classroom page
    (Case.objects.classroom_visible_to); the others are counted, not named.
    A fixed number of queries: members (with whether the actor may see them),
    sessions, attendance."""
    visible_cases = Case.objects.classroom_visible_to(actor).filter(pk=OuterRef("case_id"))
    members = list(
        group.members.select_related("case__student__classroom", "goal", "action").annotate(
            visible=Exists(visible_cases)
        )
    )
    shown = [m for m in members if m.visible]
    sessions = list(group.sessions.all())
    attendance = list(GroupAttendance.objects.filter(session__group=group).select_related("session"))
    by_member = {}
    for a in attendance:
        by_member.setdefault(a.member_id, []).append(a)
    for m in shown:
        rows = sorted(by_member.get(m.pk, []), key=lambda a: a.session.date)
        m.present_count = sum(a.present for a in rows)
        m.session_count = len(rows)
        m.values = [(a.session.date, a.measured_value) for a in rows if a.measured_value is not None]
        m.latest = m.values[-1][1] if m.values else None
        m.current = m.left_on is None
        m.on_register = m.current and m.joined_on <= today and not m.case.is_closed
    for s in sessions:
        rows = [a for a in attendance if a.session_id == s.pk]
        s.present_count = sum(a.present for a in rows)
        s.member_count = len(rows)
    return SimpleNamespace(
        members=shown,
        current=[m for m in shown if m.current],
        past=[m for m in shown if not m.current],
        register=[m for m in shown if m.on_register],
        hidden=len(members) - len(shown),
        sessions=sessions,
    )


def group_candidates(*, group, actor):
    """(case, goal or None) a counselor may add: the school's open cases not
    in the group now, each case with each of its goals. Two queries."""
    in_group = GroupMember.objects.filter(group=group, left_on__isnull=True).values("case_id")
    cases = list(
        Case.objects.visible_to(actor)
        .not_closed()
        .exclude(pk__in=in_group)
        .select_related("student__classroom")
        .order_by("student__classroom__name", "student__full_name", "id")
    )
    goals = {}
    for g in Goal.objects.filter(case__in=[c.pk for c in cases]).order_by("created_at", "id"):
        goals.setdefault(g.case_id, []).append(g)
    return [(c, g) for c in cases for g in [*goals.get(c.pk, []), None]]
