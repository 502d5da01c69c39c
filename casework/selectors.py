"""Read-side queries that shape casework data for pages.

Every page loads a fixed number of queries whatever the amount of data:
lists are annotated with subqueries, a case page loads each kind of row once
and groups them in Python.
"""

import datetime
from collections import namedtuple
from itertools import chain
from types import SimpleNamespace

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.policy import STAFF_ROLES, is_responsible, may_read_referral, may_see_confidential
from casework.advice import action_fidelity, goal_advice, goal_fidelity
from casework.charts import progress_chart
from casework.models import (
    Action,
    ActionSession,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    EvaluationEntry,
    GoalDecision,
    Meeting,
    TeamRole,
)
from casework.progress import Rules
from casework.services import OPEN_ACTION_STATUSES, week_end
from referrals.models import Referral, ReferralEvent, Urgency
from roster.models import TeachingAssignment
from schooldata.selectors import student_outcomes

# Team roles in the order the team is listed.
ROLE_ORDER = {role: i for i, role in enumerate(TeamRole.values)}


def case_queryset(actor):
    """The cases the actor may open, with what every case page shows at the top."""
    return Case.objects.visible_to(actor).select_related("student__classroom__homeroom_teacher", "lead_counselor")


def meeting_queryset(actor):
    """The meetings the actor may open: those of the cases the actor may see,
    and those the actor attends (a colleague of the school invited without
    joining the case team); ``on_case`` says whether the case is visible too."""
    if actor.school is None:
        return Meeting.objects.none()
    visible = Case.objects.visible_to(actor).values("id")
    attends = Meeting.attendees.through.objects.filter(user_id=actor.user.pk).values("meeting_id")
    return (
        Meeting.objects.filter(case__school=actor.school)
        .filter(Q(case_id__in=visible) | Q(pk__in=attends))
        .select_related("case")
        .annotate(on_case=Exists(Case.objects.visible_to(actor).filter(pk=OuterRef("case_id"))))
    )


def classroom_case_queryset(actor):
    """The cases whose classroom guidance page the actor may open, with the
    rows that page shows and whether the actor may also open the case itself."""
    return (
        Case.objects.classroom_visible_to(actor)
        .select_related("student__classroom", "lead_counselor")
        .annotate(on_case=Exists(Case.objects.visible_to(actor).filter(pk=OuterRef("pk"))))
    )


def classroom_guidance_for(*, actor):
    """For a teacher's /tasks/: the cases, not closed and with classroom
    guidance written, of students in the classes they teach this term or are
    homeroom teacher of. One query; none for someone who does not teach."""
    if actor.school is None or not actor.may("case", "view_class"):
        return []
    classes = Q(student__classroom_id__in=TeachingAssignment.objects.classroom_ids_taught_by(actor))
    if actor.homeroom_classroom_ids:
        classes |= Q(student__classroom_id__in=actor.homeroom_classroom_ids)
    return list(
        Case.objects.classroom_visible_to(actor)
        .not_closed()
        .exclude(classroom_guidance="")
        .filter(classes)
        .select_related("student__classroom")
        .order_by("student__classroom__name", "student__full_name", "id")
    )


def _count(qs):
    """A correlated COUNT(*) subquery for annotations."""
    return Coalesce(
        Subquery(qs.order_by().values("case").annotate(c=Count("id")).values("c")[:1], output_field=IntegerField()),
        Value(0),
    )


def _count_by(qs, field):
    """A correlated COUNT(*) subquery of ``qs`` (filtered on ``field`` = OuterRef)."""
    return Coalesce(
        Subquery(qs.order_by().values(field).annotate(c=Count("id")).values("c")[:1], output_field=IntegerField()),
        Value(0),
    )


def caseload(*, actor, today=None):
    """The actor's visible cases annotated with what the caseload shows per row."""
    today = today or timezone.localdate()
    open_follow_ups = EvaluationEntry.objects.filter(
        case=OuterRef("pk"), follow_up_done_at__isnull=True, next_follow_up__isnull=False
    )
    due_actions = Action.objects.filter(
        case=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, ends_on__lte=week_end(today)
    )
    return (
        case_queryset(actor)
        .annotate(
            next_follow_up=Subquery(open_follow_ups.order_by("next_follow_up").values("next_follow_up")[:1]),
            overdue_follow_ups=_count(open_follow_ups.filter(next_follow_up__lt=today)),
            actions_due=_count(due_actions),
            # The school too, so that the check reads this case's referrals, not every urgent one.
            urgent=Exists(
                Referral.objects.filter(school=OuterRef("school"), case=OuterRef("pk"), urgency=Urgency.URGENT)
            ),
        )
        .order_by("-urgent", F("next_follow_up").asc(nulls_last=True), "year", "sequence")
    )


def goals_needing_decision(case_ids, *, rules=None):
    """The goals of these cases (ids, or a subquery of ids) whose reading asks
    for a decision not yet recorded (casework.advice), each with its case.
    Two queries whatever the number of cases: the goals' measurements and
    their decisions."""
    rules = rules or Rules.from_settings()
    entries = (
        EvaluationEntry.objects.filter(
            case_id__in=case_ids, goal__isnull=False, measured_value__isnull=False, goal__target_date__isnull=False
        )
        .select_related("goal__case")
        .defer("note")
        .order_by("goal_id", "date", "id")
    )
    by_goal = {}
    for e in entries:
        by_goal.setdefault(e.goal_id, (e.goal, []))[1].append(e)
    decisions = _decisions_by_goal(case_ids)
    return [
        goal
        for goal_id, (goal, measured) in by_goal.items()
        if goal_advice(goal, measurements=measured, decisions=decisions.get(goal_id, []), rules=rules).needs_decision
    ]


def _decisions_by_goal(case_ids):
    decisions = {}
    for d in GoalDecision.objects.filter(case_id__in=case_ids).only(
        "id", "goal_id", "kind", "decided_on", "created_at"
    ):
        decisions.setdefault(d.goal_id, []).append(d)
    return decisions


_GoalReading = namedtuple("_GoalReading", "case_id baseline target created_at target_date")
_Measurement = namedtuple("_Measurement", "date measured_value created_at")


def case_ids_needing_decision(case_ids, *, rules=None):
    """The ids of those of these cases one of whose goals asks for a decision
    not yet recorded: what goals_needing_decision() finds, read as plain
    values rather than an entry, a goal and a case object per measurement (a
    page of the caseload reads hundreds). Two queries."""
    rules = rules or Rules.from_settings()
    rows = (
        EvaluationEntry.objects.filter(
            case_id__in=case_ids, goal__isnull=False, measured_value__isnull=False, goal__target_date__isnull=False
        )
        .order_by("goal_id", "date", "id")
        .values_list(
            "goal_id",
            "goal__case_id",
            "goal__baseline",
            "goal__target",
            "goal__created_at",
            "goal__target_date",
            "date",
            "measured_value",
            "created_at",
        )
    )
    by_goal = {}
    for goal_id, case_id, baseline, target, goal_created, target_date, date, value, created in rows:
        if goal_id not in by_goal:
            by_goal[goal_id] = (_GoalReading(case_id, baseline, target, goal_created, target_date), [])
        by_goal[goal_id][1].append(_Measurement(date, value, created))
    decisions = _decisions_by_goal(case_ids)
    return {
        goal.case_id
        for goal_id, (goal, measured) in by_goal.items()
        if goal_advice(goal, measurements=measured, decisions=decisions.get(goal_id, []), rules=rules).needs_decision
    }


def mark_decisions_needed(cases, *, rules=None):
    """Set ``needs_decision`` on each of a page of cases: one of its goals has
    a reading that asks for a decision not yet recorded. Two queries."""
    cases = list(cases)
    needing = case_ids_needing_decision([c.pk for c in cases], rules=rules)
    for c in cases:
        c.needs_decision = c.pk in needing
    return cases


def cases_needing_decision(*, actor):
    """The open cases the actor may see one of whose goals asks for a
    decision (casework.advice): for the coordination forum's agenda. Three
    queries whatever the number of cases."""
    cases = case_queryset(actor).not_closed().order_by("year", "sequence")
    return [c for c in mark_decisions_needed(cases) if c.needs_decision]


def caseload_totals(cases):
    """One query: the numbers at the top of the caseload for the filtered cases."""
    # The aggregates' names must differ from the annotations' ("urgent_cases",
    # not "urgent"): an aggregate replaces the annotation of the same name.
    totals = cases.order_by().aggregate(
        cases=Count("id"),
        overdue=Sum("overdue_follow_ups"),
        due=Sum("actions_due"),
        urgent_cases=Count("id", filter=Q(urgent=True)),
    )
    return {
        "cases": totals["cases"],
        "overdue": totals["overdue"] or 0,
        "due": totals["due"] or 0,
        "urgent": totals["urgent_cases"],
    }


def triage_waiting(*, actor):
    """Referrals waiting in triage for the classes the counselor covers."""
    return (
        Referral.objects.for_school(actor.school)
        .awaiting_triage()
        .filter(student__classroom__counselor=actor.user)
        .count()
    )


# /tasks/ shows the first of each list (most urgent first), with a plain link to all.
TASKS_SHOWN = 25


def tasks_for(*, actor, today=None, shown=None):
    """The actor's open actions and follow-ups across the cases they can see;
    with ``shown``, the first ``shown`` of each (``action_count`` and
    ``follow_up_count`` are the whole lists' lengths)."""
    today = today or timezone.localdate()
    cases = Case.objects.visible_to(actor).not_closed().values("id")
    sessions = ActionSession.objects.filter(action=OuterRef("pk"))
    actions = list(
        Action.objects.filter(responsible=actor.user, status__in=OPEN_ACTION_STATUSES, case__in=cases)
        .select_related("case__student", "goal")
        .annotate(
            held_count=_count_by(sessions.filter(held=True), "action"),
            not_held_count=_count_by(sessions.filter(held=False), "action"),
            today_held=Subquery(sessions.filter(date=today).values("held")[:1]),
        )
        .order_by(Coalesce("ends_on", Value(datetime.date.max)), "id")
    )
    follow_ups = list(
        EvaluationEntry.objects.filter(
            author=actor.user, next_follow_up__isnull=False, follow_up_done_at__isnull=True, case__in=cases
        )
        .select_related("case__student", "goal", "action")
        .order_by("next_follow_up", "id")
    )
    end = week_end(today)
    for a in actions:
        a.is_overdue = a.ends_on is not None and a.ends_on < today
        a.due_this_week = a.ends_on is not None and a.ends_on <= end
        action_fidelity(a, held=a.held_count, not_held=a.not_held_count, today=today)
    for e in follow_ups:
        e.is_overdue = e.next_follow_up < today
        e.is_due_today = e.next_follow_up == today
    action_count, follow_up_count = len(actions), len(follow_ups)
    if shown is not None:
        actions, follow_ups = actions[:shown], follow_ups[:shown]
    return SimpleNamespace(
        actions=actions,
        follow_ups=follow_ups,
        action_count=action_count,
        follow_up_count=follow_up_count,
        folded=action_count > len(actions) or follow_up_count > len(follow_ups),
        today=today,
    )


def school_staff(*, school):
    """One query: {user: set of roles} for the school's teachers, counselors and vice principals."""
    staff = {}
    rows = (
        Membership.objects.filter(school=school, role__in=STAFF_ROLES)
        .select_related("user")
        .order_by("user__full_name")
    )
    for m in rows:
        if m.user.is_active:
            staff.setdefault(m.user, set()).add(Role(m.role))
    return staff


# The case page folds a long history: the newest entries and timeline events,
# with a plain link to all of them (the print view always shows all).
ENTRIES_SHOWN = 20
TIMELINE_SHOWN = 30
# ... and each goal's chart and table its latest measurements.
MEASUREMENTS_SHOWN = 30


def case_page(*, case, actor, now=None, entries_shown=None, timeline_shown=None):
    """Everything the case record shows, one query per kind of row. With
    ``entries_shown``/``timeline_shown`` the log and the timeline are folded
    to their newest rows (``entries_folded``/``timeline_folded`` say so); the
    case's own timeline events are then read newest first and no further."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    members = sorted(case.members.select_related("user"), key=lambda m: (ROLE_ORDER.get(m.role, 99), m.added_at, m.pk))
    goals = list(case.goals.select_related("measure_subject"))
    actions = list(case.actions.select_related("responsible", "goal", "meeting"))
    meetings = list(case.meetings.prefetch_related("attendees"))
    # The entries' goals and actions are the case's, read just above: attached
    # from those lists, not joined and built again for each of hundreds of entries.
    entries = list(case.entries.select_related("author"))
    goal_of = {g.pk: g for g in goals}
    action_of = {a.pk: a for a in actions}
    for e in entries:
        if e.goal_id in goal_of:
            e.goal = goal_of[e.goal_id]
        if e.action_id in action_of:
            e.action = action_of[e.action_id]
    decisions = list(case.decisions.select_related("decided_by"))
    sessions = list(ActionSession.objects.filter(action__case=case).only("id", "action_id", "date", "held", "reason"))
    referrals = list(
        case.referrals.select_related("referred_by", "subject").prefetch_related("categories").order_by("created_at")
    )
    events = case.events.select_related("actor")
    if timeline_shown is not None:
        # One more than shown: whether there is more to show, without counting.
        events = list(events.order_by("-created_at", "-id")[: timeline_shown + 1])[::-1]
    else:
        events = list(events)
    referral_events = list(
        ReferralEvent.objects.filter(referral__case=case).select_related("actor", "referral").order_by("created_at")
    )
    for r in referrals:
        r.readable = may_read_referral(actor, r)
    notes = list(case.confidential_notes.select_related("author")) if may_see_confidential(actor) else None

    for a in actions:
        mine = [x for x in sessions if x.action_id == a.pk]
        action_fidelity(a, held=sum(x.held for x in mine), not_held=sum(not x.held for x in mine), today=today)
        a.sessions_list = mine
    goal_by_id = {g.pk: g for g in goals}
    rules = Rules.from_settings()
    for g in goals:
        g.plan_actions = [a for a in actions if a.goal_id == g.pk]
        g.fidelity = goal_fidelity(g.plan_actions)
        measured = sorted(
            (e for e in entries if e.goal_id == g.pk and e.measured_value is not None), key=lambda e: (e.date, e.pk)
        )
        g.measured_count = len(measured)
        g.latest = measured[-1].measured_value if measured else None
        g.advice = goal_advice(
            g,
            measurements=measured,
            decisions=[d for d in decisions if d.goal_id == g.pk],
            fidelity=g.fidelity,
            rules=rules,
        )
        g.measurements_folded = entries_shown is not None and len(measured) > MEASUREMENTS_SHOWN
        if g.measurements_folded:
            measured = measured[-MEASUREMENTS_SHOWN:]
        g.measurements = measured
        g.chart = progress_chart(
            baseline=g.baseline,
            target=g.target,
            points=[(e.date, e.measured_value) for e in measured],
            start=measured[0].date if g.measurements_folded else timezone.localdate(g.created_at),
            target_date=g.target_date,
            phases=g.advice.phases,
        )
    loose_actions = [a for a in actions if a.goal_id is None or a.goal_id not in goal_by_id]
    for a in actions:
        a.is_open = a.status in OPEN_ACTION_STATUSES
        a.is_overdue = a.is_open and a.ends_on is not None and a.ends_on < today

    who = []
    for m in members:
        who.append(SimpleNamespace(member=m, actions=[a for a in actions if a.responsible_id == m.user_id]))
    member_ids = {m.user_id for m in members}
    others = [a for a in actions if a.responsible_id not in member_ids]

    teacher_views = [r for r in referrals if r.teacher_view]
    to_discuss = bool(teacher_views) and (not case.counselor_assessment.strip() or case.perspectives_to_discuss)

    upcoming = [m for m in meetings if m.starts_at >= now]
    past = [m for m in meetings if m.starts_at < now]
    for m in meetings:
        m.decision_actions = [a for a in actions if a.meeting_id == m.pk]
        # The other attendees the viewer can message on WhatsApp.
        m.reachable_attendees = [u for u in m.attendees.all() if u.whatsapp and u.pk != actor.user.pk]

    open_follow_ups = sorted(
        (e for e in entries if e.next_follow_up and e.follow_up_done_at is None), key=lambda e: e.next_follow_up
    )
    for e in open_follow_ups:
        e.is_overdue = e.next_follow_up < today

    my_action_ids = {a.pk for a in actions if is_responsible(actor, a)}
    my_goal_ids = {a.goal_id for a in actions if a.pk in my_action_ids and a.goal_id}

    timeline = sorted(
        chain(
            (SimpleNamespace(kind="case", at=e.created_at, event=e) for e in events),
            (SimpleNamespace(kind="referral", at=e.created_at, event=e) for e in referral_events),
        ),
        key=lambda item: item.at,
    )
    timeline_folded = timeline_shown is not None and len(timeline) > timeline_shown
    if timeline_folded:
        timeline = timeline[-timeline_shown:]
    entries_folded = entries_shown is not None and len(entries) > entries_shown
    shown_entries = entries[:entries_shown] if entries_folded else entries
    return SimpleNamespace(
        case=case,
        members=members,
        goals=goals,
        actions=actions,
        loose_actions=loose_actions,
        who=who,
        unassigned=others,
        meetings=meetings,
        upcoming_meetings=upcoming,
        past_meetings=past,
        entries=shown_entries,
        entry_count=len(entries),
        entries_folded=entries_folded,
        open_follow_ups=open_follow_ups,
        referrals=referrals,
        teacher_views=teacher_views,
        to_discuss=to_discuss,
        timeline=timeline,
        timeline_folded=timeline_folded,
        notes=notes,
        my_action_ids=my_action_ids,
        my_goal_ids=my_goal_ids,
        status_choices=case.status_choices(),
        today=today,
        now=now,
        # Grades and attendance from the school's records, before and since the case opened.
        school_records=student_outcomes(student=case.student, since=timezone.localdate(case.opened_at)),
    )


# -- what a referral's page and list show of its case ---------------------------

# The events that change a case's status, whose latest one dates the status.
STATUS_EVENT_KINDS = (CaseEventKind.OPENED, CaseEventKind.STATUS_CHANGED, CaseEventKind.CLOSED, CaseEventKind.REOPENED)


def referral_case_progress(referrals, *, actor):
    """Set ``case_progress`` on each referral that has a case: the case's
    state (reopened when its latest status change was a reopening), the date
    of that change, its outcome once closed, and which of its pages the actor
    may open ("case", "classroom" or None). One query for all of them."""
    case_ids = {r.case_id for r in referrals if r.case_id}
    latest = CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=STATUS_EVENT_KINDS).order_by("-created_at", "-id")
    cases = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(
            last_kind=Subquery(latest.values("kind")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
            may_open=Exists(Case.objects.visible_to(actor).filter(pk=OuterRef("pk"))),
            may_open_classroom=Exists(Case.objects.classroom_visible_to(actor).filter(pk=OuterRef("pk"))),
        )
        .only("id", "year", "sequence", "status", "outcome", "opened_at", "closed_at")
    )
    by_id = {case.pk: case for case in cases}
    for referral in referrals:
        case = by_id.get(referral.case_id)
        if case is None:
            continue
        if case.status == CaseStatus.CLOSED:
            state = "closed"
        elif case.last_kind == CaseEventKind.REOPENED:
            state = "reopened"
        else:
            state = case.status
        page = "case" if case.may_open else "classroom" if case.may_open_classroom else None
        referral.case_progress = SimpleNamespace(
            case=case,
            state=state,
            changed_on=timezone.localdate(case.last_at or case.opened_at),
            outcome=case.get_outcome_display() if state == "closed" else "",
            page=page,
        )
