"""The agenda that builds itself before each sitting.

Each kind of item is one function of the school (and the day), so each is
tested on its own. Goals that are not moving are the ones the decision rules
(casework.progress, the aim line) ask a decision for, as on the caseload.
"""

import datetime

from casework.models import Case, CaseStatus, EvaluationEntry
from casework.selectors import goals_needing_decision
from forums.models import ItemKind
from referrals.models import OPEN_STATUSES, Referral, Urgency

# How far back the first sitting looks for new referrals.
FIRST_LOOK_BACK = datetime.timedelta(days=30)


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


def goals_not_moving(*, school, since, today):
    """Goals of open cases whose measurements ask for a decision that was not
    recorded: four in a row behind the aim line (change, intensify, or first
    check the plan was carried out) or ahead of it (fade), or the target met."""
    open_cases = Case.objects.for_school(school).not_closed().values("id")
    goals = sorted(goals_needing_decision(open_cases), key=lambda goal: (goal.case.opened_at, goal.pk))
    return [(ItemKind.GOAL_NOT_MOVING, {"case": goal.case, "goal": goal}) for goal in goals]


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
