"""Writes of the intervention library (the contract of casework.services:
atomic, keyword-only, ``actor=``, RuleError for a broken rule)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.policy import (
    as_actor,
    may_lead_case,
    may_manage_groups,
    may_manage_library,
    may_record_group_session,
)
from casework import services as casework
from casework.models import ActionStatus, CaseMember, EntryKind, TeamRole
from common.rules import RuleError
from interventions.catalogue import STARTING_LIBRARY
from interventions.models import Group, GroupAttendance, GroupMember, GroupSession, Strategy, StrategyUse
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


# Group interventions ------------------------------------------------------------


# Who may run a group.
GROUP_LEADER_ROLES = (Role.TEACHER, Role.COUNSELOR)


def _require_group_manager(actor):
    actor = as_actor(actor)
    if not may_manage_groups(actor):
        raise PermissionDenied
    return actor


@transaction.atomic
def group_create(*, actor, name, leader, strategy=None, frequency="", sessions_per_week=None, measure=""):
    actor = _require_group_manager(actor)
    if strategy is not None and strategy.school_id != actor.school.pk:
        raise RuleError(_("That strategy is not in your school's library."), field="strategy")
    if not Membership.objects.filter(user=leader, school=actor.school, role__in=GROUP_LEADER_ROLES).exists():
        raise RuleError(_("Choose a teacher or counselor of your school."), field="leader")
    return Group.objects.create(
        school=actor.school,
        name=name.strip(),
        leader=leader,
        strategy=strategy,
        frequency=frequency,
        sessions_per_week=sessions_per_week,
        measure=measure,
        created_by=actor.user,
    )


@transaction.atomic
def group_add_member(*, group, actor, case, goal=None, joined_on=None):
    """The student of ``case`` joins the group: the group becomes an action
    of the case's plan, run by the group's leader (who joins the case team)."""
    actor = _require_group_manager(actor)
    if case.school_id != group.school_id:
        raise PermissionDenied
    case.require_open()
    if goal is not None and goal.case_id != case.pk:
        raise RuleError(_("That goal belongs to another case."), field="member")
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise RuleError(_("The date cannot be in the future."), field="joined_on")
    if GroupMember.objects.filter(group=group, case=case, left_on__isnull=True).exists():
        raise RuleError(_("This student is already in the group."), field="member")
    if not CaseMember.objects.filter(case=case, user=group.leader).exists():
        leads_cases = Membership.objects.filter(user=group.leader, school=group.school, role=Role.COUNSELOR).exists()
        role = TeamRole.OTHER_COUNSELOR if leads_cases else TeamRole.SUBJECT_TEACHER
        casework.case_add_member(case=case, user=group.leader, role=role, actor=actor)
    action = casework.action_add(
        case=case,
        actor=actor,
        description=_("Group: %(name)s") % {"name": group.name},
        responsible=group.leader,
        goal=goal,
        frequency=group.frequency,
        sessions_per_week=group.sessions_per_week,
        starts_on=joined_on,
    )
    return GroupMember.objects.create(group=group, case=case, action=action, goal=goal, joined_on=joined_on)


@transaction.atomic
def group_member_leave(*, member, actor, left_on=None):
    """The student leaves the group: their action of the group is done."""
    actor = _require_group_manager(actor)
    member = GroupMember.objects.select_for_update().select_related("action__case").get(pk=member.pk)
    if member.left_on is not None:
        raise RuleError(_("This student has already left the group."))
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on or left_on > timezone.localdate():
        raise RuleError(_("Choose a date between joining and today."), field="left_on")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    action = member.action
    if action.status in casework.OPEN_ACTION_STATUSES and not action.case.is_closed:
        casework.action_update(action=action, actor=actor, version=action.version, status=ActionStatus.DONE)
    return member


@transaction.atomic
def group_record_session(*, group, actor, date, rows, note=""):
    """One session of the group: for each member (``rows`` of (member,
    present, measured value or None)) an entry in the member's case log, the
    measurement on the member's goal, and the session held or not held for the
    member's action (fidelity)."""
    actor = as_actor(actor)
    if not may_record_group_session(actor, group):
        raise PermissionDenied
    if date > timezone.localdate():
        raise RuleError(_("The date cannot be in the future."), field="date")
    if GroupSession.objects.filter(group=group, date=date).exists():
        raise RuleError(_("A session on this date is already in the register."), field="date")
    rows = [r for r in rows if r[0].group_id == group.pk and r[0].is_member_on(date)]
    if not rows:
        raise RuleError(_("No student of the group was a member on that date."), field="date")
    for member, present, value in rows:
        if value is not None and not present:
            raise RuleError(_("A student who was absent has no measurement."))
        if value is not None and member.goal_id is None:
            raise RuleError(_("%(case)s: the group serves no goal of this case.") % {"case": member.case.number})
    session = GroupSession.objects.create(group=group, date=date, note=note, recorded_by=actor.user)
    for member, present, value in rows:
        said = _("present") if present else _("absent")
        text = _("Group session %(name)s: %(present)s.") % {"name": group.name, "present": said}
        entry = casework.entry_add(
            case=member.case,
            actor=actor,
            kind=EntryKind.PROGRESS_CHECK,
            date=date,
            action=member.action,
            goal=member.goal,
            measured_value=value,
            note=f"{text} {note}".strip(),
        )
        member.action.refresh_from_db()
        casework.session_record(
            action=member.action, actor=actor, date=date, held=present, reason="" if present else _("Absent")
        )
        GroupAttendance.objects.create(
            session=session, member=member, present=present, measured_value=value, entry=entry
        )
    return session
