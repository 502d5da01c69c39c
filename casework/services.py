"""Case changes that span rows: opening a case, joining referrals, the team,
the intervention plan, meetings, the evaluation log and status transitions.

Each write function is atomic on its own (also inside ATOMIC_REQUESTS), takes
``actor`` (an accounts.policy.Actor or a User), and writes the timeline and the
notifications together with the change. Rules that a user can break raise
common.rules.RuleError with a message to show; an edit that lost a race raises
StaleEdit (a RuleError) carrying the current row.
"""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.policy import as_actor, may_complete_action, may_finish_follow_up, may_lead_case
from casework import school_records
from casework.models import (
    TEACHER_ENTRY_KINDS,
    Action,
    ActionSession,
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseMember,
    CaseStatus,
    ConfidentialNote,
    EntryKind,
    EvaluationEntry,
    Goal,
    GoalDecision,
    Meeting,
    MeetingKind,
    TeamRole,
)
from common import report_version
from common.limits import TEXT_LIMIT
from common.rules import RuleError
from notifications import attachments
from notifications.models import NotificationKind
from notifications.services import notify
from referrals import services as referral_services
from referrals.models import EventKind as ReferralEventKind
from referrals.models import Status as ReferralStatus
from roster.models import School, Student


class StaleEdit(RuleError):
    """Someone else saved the same item first. ``current`` is the row as saved."""

    def __init__(self, current):
        super().__init__(_("Someone else saved this item while you were editing it. Your changes were not saved."))
        self.current = current


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


def _case_url(case, anchor=""):
    return case.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _event(case, by, kind, message="", **data):
    return CaseEvent.objects.create(case=case, actor=by, kind=kind, message=message, data=data)


def _versioned_update(model, obj, version, fields):
    """UPDATE ... WHERE version = n; raise StaleEdit when someone saved first."""
    updated = model.objects.filter(pk=obj.pk, version=version).update(**fields, version=F("version") + 1)
    if updated != 1:
        raise StaleEdit(model.objects.get(pk=obj.pk))
    report_version.bump((obj if model is Case else obj.case).school_id)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.version = version + 1
    return obj


def case_people_to_tell(case):
    """The team and the teachers whose referrals the case came from."""
    User = get_user_model()
    return list(User.objects.filter(Q(case_memberships__case=case) | Q(referrals_made__case=case)).distinct())


def _notify_status(case, by, kind=NotificationKind.CASE_STATUS):
    notify(
        school=case.school,
        recipients=case_people_to_tell(case),
        kind=kind,
        url=_case_url(case, "status"),
        label=case.number,
        exclude=by,
    )


# Opening a case and its team -------------------------------------------------


def _next_sequence(*, school, year):
    # Lock the school row so two cases opened at once get distinct numbers.
    School.objects.select_for_update().filter(pk=school.pk).first()
    last = Case.objects.filter(school=school, year=year).aggregate(m=Max("sequence"))["m"] or 0
    return last + 1


def open_case_for(student):
    """The student's case that is not closed, if any."""
    return Case.objects.filter(student=student).exclude(status="closed").first()


@transaction.atomic
def case_add_member(*, case, user, role, actor):
    """Add a person to the team (once). Returns the membership."""
    by = as_actor(actor).user
    case.require_open()
    member, created = CaseMember.objects.get_or_create(case=case, user=user, defaults={"role": role})
    if created:
        CaseEvent.objects.create(
            case=case,
            actor=by,
            kind=CaseEventKind.MEMBER_ADDED,
            message=f"{user.get_full_name()} · {member.get_role_display()}",
            data={"user": user.pk, "role": str(role)},
        )
        notify(
            school=case.school,
            recipients=[user],
            kind=NotificationKind.ADDED_TO_TEAM,
            url=case.get_absolute_url(),
            label=case.number,
            exclude=by,
        )
    return member


@transaction.atomic
def case_attach_referral(*, case, referral, actor):
    """Link a referral to a case and put its teacher on the team."""
    by = as_actor(actor).user
    referral.case = case
    case_add_member(case=case, user=referral.referred_by, role=TeamRole.REFERRING_TEACHER, actor=actor)
    CaseEvent.objects.create(
        case=case, actor=by, kind=CaseEventKind.REFERRAL_JOINED, message=referral.notification_label
    )


@transaction.atomic
def case_open(*, student, lead_counselor, actor):
    """Open a new case for a student, with the lead counselor and the homeroom
    teacher of the student's class on the team."""
    by = as_actor(actor).user
    year = timezone.localdate().year
    case = Case.objects.create(
        school=student.school,
        year=year,
        sequence=_next_sequence(school=student.school, year=year),
        student=student,
        lead_counselor=lead_counselor,
    )
    CaseEvent.objects.create(case=case, actor=by, kind=CaseEventKind.OPENED)
    case_add_member(case=case, user=lead_counselor, role=TeamRole.LEAD_COUNSELOR, actor=actor)
    homeroom = student.classroom.homeroom_teacher if student.classroom_id else None
    if homeroom is not None:
        case_add_member(case=case, user=homeroom, role=TeamRole.HOMEROOM_TEACHER, actor=actor)
    return case


@transaction.atomic
def referral_accept(*, referral, actor, lead_counselor=None, message=""):
    """Accept the referral: it joins the student's open case, or a new case is
    opened with ``lead_counselor`` (by default the counselor accepting).
    Returns the referral, linked to its case."""
    by = as_actor(actor).user
    referral = referral_services._locked(referral)
    referral.require("accept")
    # One accept at a time per student, so two referrals of the same student
    # accepted at once end up in one case.
    Student.objects.select_for_update().filter(pk=referral.student_id).first()
    case = open_case_for(referral.student)
    joined = case is not None
    if not joined:
        case = case_open(student=referral.student, lead_counselor=lead_counselor or by, actor=actor)
    case_attach_referral(case=case, referral=referral, actor=actor)
    referral.case = case
    referral.status = ReferralStatus.ACCEPTED
    referral.latest_feedback = message
    referral_services._triaged(referral, by)
    referral.save(update_fields=["status", "case", "latest_feedback", "triaged_at", "triaged_by", "updated_at"])
    referral_services._event(
        referral,
        by=by,
        kind=ReferralEventKind.JOINED_CASE if joined else ReferralEventKind.ACCEPTED,
        message="\n\n".join(part for part in (case.number, message) if part),
    )
    referral_services._notify(
        referral,
        recipients=[referral.referred_by],
        kind=NotificationKind.REFERRAL_JOINED_CASE if joined else NotificationKind.REFERRAL_ACCEPTED,
        by=by,
    )
    return referral


@transaction.atomic
def case_reassign_lead(*, case, counselor, actor):
    """Make another counselor the lead; the former lead stays on the team."""
    by = as_actor(actor).user
    case.require_open()
    if counselor.pk == case.lead_counselor_id:
        return case
    CaseMember.objects.filter(case=case, role=TeamRole.LEAD_COUNSELOR).update(role=TeamRole.OTHER_COUNSELOR)
    Case.objects.filter(pk=case.pk).update(lead_counselor=counselor, updated_at=timezone.now())
    report_version.bump(case.school_id)
    case.lead_counselor = counselor
    member = case_add_member(case=case, user=counselor, role=TeamRole.LEAD_COUNSELOR, actor=actor)
    if member.role != TeamRole.LEAD_COUNSELOR:
        member.role = TeamRole.LEAD_COUNSELOR
        member.save(update_fields=["role"])
        notify(
            school=case.school,
            recipients=[counselor],
            kind=NotificationKind.ADDED_TO_TEAM,
            url=_case_url(case),
            label=case.number,
            exclude=by,
        )
    _event(case, by, CaseEventKind.LEAD_CHANGED, counselor.get_full_name())
    return case


# Shared texts: summary, assessment, classroom guidance -------------------------


@transaction.atomic
def case_update_texts(*, case, actor, version, **fields):
    """Save the shared summary, the counselor's assessment or the classroom
    guidance, with a version check. Only the given fields change."""
    by = as_actor(actor).user
    case.require_open()
    allowed = {"summary", "counselor_assessment", "perspectives_to_discuss", "classroom_guidance"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    changed = [k for k, v in fields.items() if getattr(case, k) != v]
    _versioned_update(Case, case, version, {**fields, "updated_at": timezone.now()})
    if "summary" in changed:
        _event(case, by, CaseEventKind.SUMMARY_CHANGED)
    if "counselor_assessment" in changed or "perspectives_to_discuss" in changed:
        _event(case, by, CaseEventKind.ASSESSMENT_CHANGED)
    if "classroom_guidance" in changed:
        _event(case, by, CaseEventKind.GUIDANCE_CHANGED)
    return case


# The intervention plan ------------------------------------------------------


def _maybe_activate(case, by):
    """open -> active once the plan has a goal and an action."""
    if case.status != CaseStatus.OPEN:
        return
    if case.has_plan() and Case.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
        status=CaseStatus.ACTIVE, updated_at=timezone.now()
    ):
        case.status = CaseStatus.ACTIVE
        report_version.bump(case.school_id)
        _event(case, by, CaseEventKind.STATUS_CHANGED, **{"from": CaseStatus.OPEN, "to": CaseStatus.ACTIVE})
        _notify_status(case, by)


@transaction.atomic
def goal_add(
    *,
    case,
    actor,
    statement,
    indicator,
    baseline=None,
    target=None,
    unit="",
    target_date=None,
    measure="",
    measure_subject=None,
):
    by = as_actor(actor).user
    case.require_open()
    goal = Goal.objects.create(
        case=case,
        statement=statement,
        indicator=indicator,
        baseline=baseline,
        target=target,
        unit=unit,
        target_date=target_date,
        measure=measure,
        measure_subject=measure_subject,
    )
    _event(case, by, CaseEventKind.GOAL_ADDED, statement)
    _maybe_activate(case, by)
    if goal.measure:
        school_records.sync_goals([goal])
    return goal


@transaction.atomic
def goal_update(*, goal, actor, version, **fields):
    by = as_actor(actor).user
    goal.case.require_open()
    _versioned_update(Goal, goal, version, fields)
    _event(goal.case, by, CaseEventKind.GOAL_CHANGED, goal.statement)
    if goal.measure:
        school_records.sync_goals([goal])
    return goal


def _check_responsible(case, user):
    if not CaseMember.objects.filter(case=case, user=user).exists():
        raise RuleError(_("The person responsible must be on the case team."))


def _tell_assigned(case, action, by):
    notify(
        school=case.school,
        recipients=[action.responsible],
        kind=NotificationKind.ACTION_ASSIGNED,
        url=reverse("casework:tasks"),
        label=case.number,
        exclude=by,
    )


@transaction.atomic
def goal_decide(*, goal, actor, kind, reason, decided_on=None):
    """Record the counselor's decision on a goal's progress. A decision that
    changes the plan (intensify, change, fade) draws a phase line: the rules
    read only the measurements after it."""
    actor = as_actor(actor)
    if not may_lead_case(actor):
        raise PermissionDenied
    case = goal.case
    case.require_open()
    today = timezone.localdate()
    decided_on = decided_on or today
    if decided_on > today:
        raise RuleError(_("The date cannot be in the future."), field="decided_on")
    if decided_on < timezone.localdate(goal.created_at):
        raise RuleError(_("The date cannot be before the goal was set."), field="decided_on")
    if not reason.strip():
        raise RuleError(_("Say why, in a sentence."), field="reason")
    decision = GoalDecision.objects.create(
        case=case, goal=goal, kind=kind, reason=reason.strip(), decided_on=decided_on, decided_by=actor.user
    )
    _event(case, actor.user, CaseEventKind.PROGRESS_DECISION, f"{goal.statement} · {decision.get_kind_display()}")
    return decision


@transaction.atomic
def action_add(
    *,
    case,
    actor,
    description,
    responsible,
    goal=None,
    frequency="",
    sessions_per_week=None,
    starts_on=None,
    ends_on=None,
    meeting=None,
):
    """Add an action with the one team member responsible for it."""
    by = as_actor(actor).user
    case.require_open()
    _check_responsible(case, responsible)
    if goal is not None and goal.case_id != case.pk:
        raise RuleError(_("That goal belongs to another case."))
    action = Action.objects.create(
        case=case,
        goal=goal,
        description=description,
        responsible=responsible,
        frequency=frequency,
        sessions_per_week=sessions_per_week,
        starts_on=starts_on,
        ends_on=ends_on,
        meeting=meeting,
    )
    if meeting is not None:
        _event(case, by, CaseEventKind.DECISION_RECORDED, f"{description} · {responsible.get_full_name()}")
    else:
        _event(case, by, CaseEventKind.ACTION_ADDED, f"{description} · {responsible.get_full_name()}")
    _tell_assigned(case, action, by)
    _maybe_activate(case, by)
    return action


@transaction.atomic
def action_update(*, action, actor, version, **fields):
    by = as_actor(actor).user
    case = action.case
    case.require_open()
    responsible = fields.get("responsible")
    reassigned = responsible is not None and responsible.pk != action.responsible_id
    if reassigned:
        _check_responsible(case, responsible)
    status = fields.get("status")
    if status == ActionStatus.DONE and action.status != ActionStatus.DONE:
        fields["completed_at"] = timezone.now()
    elif status is not None and status != ActionStatus.DONE:
        fields["completed_at"] = None
    _versioned_update(Action, action, version, fields)
    _event(case, by, CaseEventKind.ACTION_CHANGED, f"{action.description} · {action.responsible.get_full_name()}")
    if reassigned:
        _tell_assigned(case, action, by)
    return action


@transaction.atomic
def session_record(*, action, actor, held=True, reason="", date=None):
    """Tick one session of an action as held, or not held with a reason (the
    plan's fidelity). Once a day per action: ticking again corrects it."""
    actor = as_actor(actor)
    if not may_complete_action(actor, action):
        raise PermissionDenied
    action.case.require_open()
    if action.status not in OPEN_ACTION_STATUSES:
        raise RuleError(_("This action is no longer open."))
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise RuleError(_("The date cannot be in the future."), field="date")
    if action.starts_on and date < action.starts_on:
        raise RuleError(
            _("The action starts on %(date)s.") % {"date": formats.date_format(action.starts_on, "DATE_FORMAT")},
            field="date",
        )
    reason = (reason or "").strip()
    if not held and not reason:
        raise RuleError(_("Say briefly why the session was not held."), field="reason")
    session, _created = ActionSession.objects.update_or_create(
        action=action,
        date=date,
        defaults={"held": held, "reason": "" if held else reason, "recorded_by": actor.user},
    )
    return session


@transaction.atomic
def action_done(*, action, actor, note="", measured_value=None, rating=""):
    """Mark an open action done, optionally with a short evaluation entry, in one step."""
    actor = as_actor(actor)
    case = action.case
    by = actor.user
    case.require_open()
    if not may_complete_action(actor, action):
        raise PermissionDenied
    if measured_value is not None and action.goal_id is None:
        raise RuleError(_("This action has no goal, so there is nothing to measure. Leave the value empty."))
    now = timezone.now()
    updated = Action.objects.filter(pk=action.pk, status__in=OPEN_ACTION_STATUSES).update(
        status=ActionStatus.DONE, completed_at=now, version=F("version") + 1
    )
    if not updated:
        raise RuleError(_("This action is already done or cancelled."))
    action.status, action.completed_at = ActionStatus.DONE, now
    _event(case, by, CaseEventKind.ACTION_DONE, f"{action.description} · {by.get_full_name()}")
    entry = None
    if note or measured_value is not None or rating:
        entry = entry_add(
            case=case,
            actor=actor,
            kind=EntryKind.PROGRESS_CHECK,
            date=timezone.localdate(),
            goal=action.goal,
            action=action,
            measured_value=measured_value,
            rating=rating,
            note=note,
        )
    return entry


# Meetings -------------------------------------------------------------------


def _meeting_url(case, meeting):
    """The meeting's own page: every attendee may open it, also a colleague
    invited without joining the case team (it links on to the case for those
    who may see it)."""
    return reverse("casework:meeting", args=[case.pk, meeting.pk])


def meeting_attachment(meeting):
    """The reference that makes a meeting notification's email carry the .ics
    (casework.ics.meeting_invitation, registered in CaseworkConfig.ready())."""
    return attachments.reference("meeting", meeting.pk)


@transaction.atomic
def meeting_schedule(*, case, actor, kind, starts_at, duration_minutes, place, attendees, agenda=""):
    by = as_actor(actor).user
    case.require_open()
    meeting = Meeting.objects.create(
        case=case,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        agenda=agenda,
        created_by=by,
    )
    meeting.attendees.set(attendees)
    _event(case, by, CaseEventKind.MEETING_SCHEDULED, f"{meeting.get_kind_display()} · {place}")
    notify(
        school=case.school,
        recipients=attendees,
        kind=NotificationKind.MEETING_SCHEDULED,
        url=_meeting_url(case, meeting),
        label=case.number,
        exclude=by,
        attachment=meeting_attachment(meeting),
    )
    return meeting


# What an attendee's calendar shows (the .ics): a change to one of these is
# news to them; the agenda and the minutes are read in Sinergi.
MEETING_CALENDAR_FIELDS = ("kind", "starts_at", "duration_minutes", "place")


@transaction.atomic
def meeting_update(*, meeting, actor, sequence, attendees=None, **fields):
    """Change a meeting (time, place, agenda, minutes, attendees). The iCalendar
    SEQUENCE doubles as the version: a stale form is refused. Attendees hear of
    it only when their calendar entry changed; people added get the invitation,
    people taken off a notification with a cancellation."""
    by = as_actor(actor).user
    case = meeting.case
    case.require_open()
    # The saved values (a bound ModelForm has already changed ``meeting``).
    before = Meeting.objects.filter(pk=meeting.pk, sequence=sequence).values(*MEETING_CALENDAR_FIELDS).first()
    updated = Meeting.objects.filter(pk=meeting.pk, sequence=sequence).update(**fields, sequence=F("sequence") + 1)
    if updated != 1 or before is None:
        raise StaleEdit(Meeting.objects.get(pk=meeting.pk))
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.sequence = sequence + 1
    report_version.bump(case.school_id)
    rescheduled = any(name in fields and fields[name] != before[name] for name in MEETING_CALENDAR_FIELDS)
    invited = set(meeting.attendees.values_list("pk", flat=True))
    if attendees is not None:
        meeting.attendees.set(attendees)
    people = list(meeting.attendees.all())
    _event(case, by, CaseEventKind.MEETING_CHANGED, f"{meeting.get_kind_display()} · {meeting.place}")
    new = [u for u in people if u.pk not in invited]
    kept = [u for u in people if u.pk in invited] if rescheduled else []
    removed = get_user_model().objects.filter(pk__in=invited - {u.pk for u in people}).order_by("pk")
    tell = {
        "school": case.school,
        "url": _meeting_url(case, meeting),
        "label": case.number,
        "exclude": by,
        "attachment": meeting_attachment(meeting),
    }
    notify(recipients=new, kind=NotificationKind.MEETING_SCHEDULED, **tell)
    notify(recipients=kept, kind=NotificationKind.MEETING_CHANGED, **tell)
    notify(recipients=removed, kind=NotificationKind.MEETING_REMOVED, **tell)
    return meeting


# The evaluation log ---------------------------------------------------------


def responsibilities(*, case, user):
    """(action ids, goal ids) the user is responsible for on the case: an
    action whose responsible is them, and the goals those actions serve."""
    rows = list(Action.objects.filter(case=case, responsible=user).values_list("id", "goal_id"))
    return {a for a, _g in rows}, {g for _a, g in rows if g is not None}


def _check_entry_date(case, date):
    """An entry's date lies between the case's opening and today."""
    if date > timezone.localdate():
        raise RuleError(_("The date cannot be in the future."), field="date")
    opened_on = timezone.localdate(case.opened_at)
    if date < opened_on:
        raise RuleError(
            _("The date cannot be before the case was opened (%(date)s).")
            % {"date": formats.date_format(opened_on, "DATE_FORMAT")},
            field="date",
        )


@transaction.atomic
def entry_add(
    *,
    case,
    actor,
    kind,
    date,
    goal=None,
    action=None,
    measured_value=None,
    rating="",
    note="",
    next_follow_up=None,
    is_final=False,
):
    """Write to the shared evaluation log. Counselors may write about
    anything; anyone else only about the goals and actions they are
    responsible for. A new entry settles the author's open follow-ups on the case."""
    actor = as_actor(actor)
    by = actor.user
    if not is_final:
        case.require_open()
    if action is not None and action.case_id != case.pk or goal is not None and goal.case_id != case.pk:
        raise RuleError(_("That goal or action belongs to another case."))
    if goal is None and action is not None:
        goal = action.goal
    if action is not None and goal is not None and action.goal_id not in (None, goal.pk):
        raise RuleError(_("That action serves another goal."))
    if not may_lead_case(actor):
        if kind not in TEACHER_ENTRY_KINDS:
            raise RuleError(forms.ChoiceField.default_error_messages["invalid_choice"] % {"value": kind}, field="kind")
        action_ids, goal_ids = responsibilities(case=case, user=by)
        mine = (action is not None and action.pk in action_ids) or (
            action is None and goal is not None and goal.pk in goal_ids
        )
        if not mine:
            raise RuleError(_("You can add entries for the goals and actions you are responsible for."))
    if measured_value is not None and goal is None:
        raise RuleError(_("Choose the goal this value measures."))
    _check_entry_date(case, date)
    now = timezone.now()
    EvaluationEntry.objects.filter(
        case=case, author=by, next_follow_up__isnull=False, follow_up_done_at__isnull=True
    ).update(follow_up_done_at=now)
    # An entry logged against a planned action shows it is under way.
    if action is not None and Action.objects.filter(pk=action.pk, status=ActionStatus.PLANNED).update(
        status=ActionStatus.IN_PROGRESS, version=F("version") + 1
    ):
        action.status, action.version = ActionStatus.IN_PROGRESS, action.version + 1
    entry = EvaluationEntry.objects.create(
        case=case,
        author=by,
        kind=kind,
        date=date,
        goal=goal,
        action=action,
        measured_value=measured_value,
        rating=rating,
        note=note,
        next_follow_up=next_follow_up,
        is_final=is_final,
    )
    _event(
        case,
        by,
        CaseEventKind.ENTRY_ADDED,
        goal.statement if goal is not None else "",
        entry=entry.pk,
        entry_kind=str(kind),
    )
    return entry


@transaction.atomic
def follow_up_done(*, entry, actor, note="", measured_value=None, rating="", next_follow_up=None):
    """Settle a follow-up, optionally with a short entry about the same goal or action."""
    actor = as_actor(actor)
    case = entry.case
    case.require_open()
    if not may_finish_follow_up(actor, entry):
        raise PermissionDenied
    if entry.follow_up_done_at is not None or entry.next_follow_up is None:
        raise RuleError(_("This follow-up is already done."))
    if note or measured_value is not None or rating or next_follow_up:
        return entry_add(
            case=case,
            actor=actor,
            kind=EntryKind.PROGRESS_CHECK,
            date=timezone.localdate(),
            goal=entry.goal,
            action=entry.action,
            measured_value=measured_value,
            rating=rating,
            note=note,
            next_follow_up=next_follow_up,
        )
    EvaluationEntry.objects.filter(pk=entry.pk).update(follow_up_done_at=timezone.now())
    report_version.bump(case.school_id)
    return None


@transaction.atomic
def follow_up_schedule(*, case, actor, date, note=""):
    """The caseload's quick "add follow-up": a short entry with the next date."""
    actor = as_actor(actor)
    if date < timezone.localdate():
        raise RuleError(_("The follow-up date cannot be in the past."))
    return entry_add(
        case=case,
        actor=actor,
        kind=EntryKind.PROGRESS_CHECK,
        date=timezone.localdate(),
        note=note,
        next_follow_up=date,
    )


# Confidential notes ----------------------------------------------------------


@transaction.atomic
def note_add(*, case, actor, body):
    """A counselor's confidential note. No timeline line and no notification:
    even that a note exists is not shown to anyone else."""
    by = as_actor(actor).user
    # The body is encrypted: the database cannot check its length.
    if len(body) > TEXT_LIMIT:
        raise RuleError(
            _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).")
            % {"limit_value": TEXT_LIMIT, "show_value": len(body)},
            field="body",
        )
    return ConfidentialNote.objects.create(case=case, author=by, body=body)


# Status ---------------------------------------------------------------------


def _locked(case):
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_set_status(*, case, actor, status):
    """A hand-made transition: active <-> monitoring."""
    by = as_actor(actor).user
    current = _locked(case)
    if not current.allows_status(status):
        raise RuleError(
            _("A case that is %(current)s cannot be moved to %(new)s here.")
            % {"current": current.get_status_display().lower(), "new": CaseStatus(status).label.lower()}
        )
    Case.objects.filter(pk=case.pk).update(status=status, updated_at=timezone.now())
    report_version.bump(case.school_id)
    _event(case, by, CaseEventKind.STATUS_CHANGED, **{"from": current.status, "to": str(status)})
    case.status = status
    _notify_status(case, by)
    return case


def _end_open_actions(case, by, endings, now):
    """Mark each action still open done or dropped, as ``endings`` ({action pk:
    status}) says; an action it does not name (added since the form was shown)
    is dropped. One timeline line per action."""
    for action in Action.objects.filter(case=case, status__in=OPEN_ACTION_STATUSES).select_related("responsible"):
        status = endings.get(action.pk, ActionStatus.CANCELLED)
        if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
            raise RuleError(_("Say whether this action was done or is dropped."), field=f"action_{action.pk}")
        Action.objects.filter(pk=action.pk).update(
            status=status, completed_at=now if status == ActionStatus.DONE else None, version=F("version") + 1
        )
        kind = CaseEventKind.ACTION_DONE if status == ActionStatus.DONE else CaseEventKind.ACTION_DROPPED
        _event(case, by, kind, f"{action.description} · {action.responsible.get_full_name()}", action=action.pk)


@transaction.atomic
def case_close(*, case, actor, outcome, final_note, rating="", action_endings=None):
    """Close with an outcome and a final evaluation entry, together. Actions
    still open end as ``action_endings`` ({action pk: "done" or "cancelled"})
    says; those it does not name are dropped."""
    actor = as_actor(actor)
    by = actor.user
    current = _locked(case)
    current.require_open()
    if not outcome:
        raise RuleError(_("Choose the outcome of the case."))
    if not final_note.strip():
        raise RuleError(_("Write the final evaluation before closing the case."))
    _end_open_actions(current, by, action_endings or {}, timezone.now())
    entry_add(
        case=current,
        actor=actor,
        kind=EntryKind.PROGRESS_CHECK,
        date=timezone.localdate(),
        rating=rating,
        note=final_note,
        is_final=True,
    )
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, outcome=outcome, closed_at=now, updated_at=now)
    # Open follow-ups end with the case.
    EvaluationEntry.objects.filter(case=case, follow_up_done_at__isnull=True, next_follow_up__isnull=False).update(
        follow_up_done_at=now
    )
    report_version.bump(case.school_id)
    _event(case, by, CaseEventKind.CLOSED, **{"from": current.status, "to": CaseStatus.CLOSED, "outcome": outcome})
    case.status, case.outcome, case.closed_at = CaseStatus.CLOSED, outcome, now
    _notify_status(case, by, kind=NotificationKind.CASE_CLOSED)
    return case


@transaction.atomic
def case_reopen(*, case, actor, reason):
    by = as_actor(actor).user
    current = _locked(case)
    if current.status != CaseStatus.CLOSED:
        raise RuleError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise RuleError(_("Say why the case is reopened."))
    if Case.objects.filter(student_id=current.student_id).exclude(status=CaseStatus.CLOSED).exists():
        raise RuleError(_("This student already has an open case. Work on that one instead."))
    # A case that had a plan goes back to active, also when closing ended its actions.
    had_plan = Goal.objects.filter(case=case).exists() and Action.objects.filter(case=case).exists()
    status = CaseStatus.ACTIVE if had_plan else CaseStatus.OPEN
    Case.objects.filter(pk=case.pk).update(status=status, outcome="", closed_at=None, updated_at=timezone.now())
    report_version.bump(case.school_id)
    _event(case, by, CaseEventKind.REOPENED, reason, **{"from": CaseStatus.CLOSED, "to": status})
    case.status, case.outcome, case.closed_at = status, "", None
    _notify_status(case, by)
    return case


def week_end(day: datetime.date) -> datetime.date:
    """The last day "this week" covers for due actions: a rolling seven days
    (on a Friday, next Monday's actions are due this week too)."""
    return day + datetime.timedelta(days=7)


# "When can I talk to the counselor about this student?" (issue #13) ---------


def _talk_time(starts_at):
    if starts_at is None or starts_at <= timezone.now():
        raise RuleError(_("This time has passed. Choose another one."), field="starts_at")


@transaction.atomic
def talk_schedule(*, case, actor, counselor, starts_at, duration_minutes):
    """A teacher books a short talk with the counselor about a case's student:
    a meeting of the case with the two of them, which tells the counselor and
    carries its .ics like any meeting."""
    by = as_actor(actor).user
    case.require_open()
    if counselor is None:
        raise RuleError(_("No counselor covers this student's class yet."))
    _talk_time(starts_at)
    return meeting_schedule(
        case=case,
        actor=actor,
        kind=MeetingKind.TALK,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=_("Counseling room"),
        attendees=[by, counselor],
    )


@transaction.atomic
def talk_request(*, referral, actor, counselor, starts_at):
    """Before a referral has a case there is no meeting to book: the counselor
    is told the proposed time (a neutral label: the referral's number and the
    time) and answers in Sinergi."""
    by = as_actor(actor).user
    if counselor is None:
        raise RuleError(_("No counselor covers this student's class yet."))
    _talk_time(starts_at)
    moment = formats.date_format(timezone.localtime(starts_at), "D j M H:i")
    return notify(
        school=referral.school,
        recipients=[counselor],
        kind=NotificationKind.TALK_REQUESTED,
        url=referral.get_absolute_url(),
        label=f"{referral} · {moment}",
        exclude=by,
    )
