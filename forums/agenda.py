"""The agenda that builds itself before each sitting.

Each kind of item is one function of the school (and the day), so each is
tested on its own and can be replaced: ``goals_not_moving`` is a simple rule
of our own until the decision rules of issue #14 (the aim line) take over;
the lead switches ``GOAL_CHECK`` to their function at merge.
"""

import datetime
from decimal import Decimal

from casework.models import Case, CaseStatus, EvaluationEntry, Goal
from forums.models import ItemKind
from referrals.models import OPEN_STATUSES, Referral, Urgency

# How far back the first sitting looks for new referrals.
FIRST_LOOK_BACK = datetime.timedelta(days=30)
# The measurements of a goal that say whether it moves.
RECENT_MEASUREMENTS = 3


def new_and_urgent_referrals(*, school, since, today):
    """Referrals filed (or sent again) since the last sitting and still
    waiting for triage; urgent ones waiting, whenever they were filed."""
    waiting = Referral.objects.filter(school=school, status__in=OPEN_STATUSES)
    items = []
    for referral in waiting.order_by("submitted_at"):
        if referral.urgency == Urgency.URGENT:
            items.append((ItemKind.URGENT_REFERRAL, {"referral": referral}))
        elif referral.submitted_at >= since:
            items.append((ItemKind.NEW_REFERRAL, {"referral": referral}))
    return items


def overdue_follow_ups(*, school, since, today):
    """Open cases with a follow-up past its date and not done."""
    cases = (
        Case.objects.for_school(school)
        .not_closed()
        .filter(
            id__in=EvaluationEntry.objects.filter(next_follow_up__lt=today, follow_up_done_at__isnull=True).values(
                "case_id"
            )
        )
        .order_by("opened_at")
    )
    return [(ItemKind.OVERDUE_FOLLOW_UP, {"case": case}) for case in cases]


def is_not_moving(*, baseline, target, values):
    """Our simple rule: the last few measurements of a goal (oldest first)
    do not come closer to the target. Needs two measurements at least."""
    if target is None or len(values) < 2:
        return False
    origin = baseline if baseline is not None else values[0]
    if origin == target:
        return False
    direction = Decimal(1) if target > origin else Decimal(-1)
    return (values[-1] - values[0]) * direction <= 0


def goals_not_moving(*, school, since, today):
    """Goals of open cases whose recent measurements do not move towards the target."""
    goals = {
        goal.pk: goal
        for goal in Goal.objects.filter(case__school=school, target__isnull=False)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
    }
    measured = {}
    for goal_id, value in (
        EvaluationEntry.objects.filter(goal_id__in=list(goals), measured_value__isnull=False)
        .order_by("goal_id", "-date", "-id")
        .values_list("goal_id", "measured_value")
    ):
        if len(measured.setdefault(goal_id, [])) < RECENT_MEASUREMENTS:
            measured[goal_id].append(value)
    items = []
    for goal_id, values in measured.items():
        goal = goals[goal_id]
        if GOAL_CHECK(baseline=goal.baseline, target=goal.target, values=list(reversed(values))):
            items.append((ItemKind.GOAL_NOT_MOVING, {"case": goal.case, "goal": goal}))
    return items


# Issue #14 brings the decision rules: switch this to their check at merge.
GOAL_CHECK = is_not_moving


def proposed_for_closing(*, school, since, today):
    """Cases the counselor has moved to monitoring: the step before closing."""
    cases = Case.objects.for_school(school).filter(status=CaseStatus.MONITORING).order_by("opened_at")
    return [(ItemKind.PROPOSED_CLOSING, {"case": case}) for case in cases]


def perspectives_differ(*, school, since, today):
    """Cases where the counselor marked that the teacher's view and theirs differ."""
    cases = Case.objects.for_school(school).not_closed().filter(perspectives_to_discuss=True).order_by("opened_at")
    return [(ItemKind.PERSPECTIVES_DIFFER, {"case": case}) for case in cases]


BUILDERS = [
    new_and_urgent_referrals,
    overdue_follow_ups,
    goals_not_moving,
    proposed_for_closing,
    perspectives_differ,
]


def candidate_items(*, school, since, today):
    """(kind, {referral|case|goal: record}) for every item the agenda should hold."""
    return [item for build in BUILDERS for item in build(school=school, since=since, today=today)]
