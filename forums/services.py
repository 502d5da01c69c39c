"""Writes of the coordination forum (the write-service contract of the
README: atomic, keyword-only, ``actor=``, RuleError for a broken rule)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.policy import as_actor, may_run_forum, may_set_forum
from casework import services as casework
from casework.models import Case, CaseMember, TeamRole
from common.rules import RuleError
from forums import agenda, selectors
from forums.models import AgendaItem, Decision, Forum, ItemKind, Sitting
from notifications import attachments
from notifications.models import NotificationKind
from notifications.services import notify
from roster.models import Classroom


def default_participants(school):
    """The counselors and the homeroom teachers of the school."""
    User = get_user_model()
    homeroom = Classroom.objects.for_school(school).exclude(homeroom_teacher=None).values("homeroom_teacher_id")
    counselors = Membership.objects.filter(school=school, role=Role.COUNSELOR).values("user_id")
    return User.objects.filter(Q(pk__in=homeroom) | Q(pk__in=counselors), is_active=True).order_by("full_name")


def forum_for(school):
    """The school's forum, made with the default participants the first time."""
    forum, created = Forum.objects.get_or_create(school=school, defaults={"place": _("Teachers' room")})
    if created:
        forum.participants.set(default_participants(school))
    return forum


def _staff_of(school, users):
    staff = set(Membership.objects.filter(school=school, user__in=users).values_list("user_id", flat=True))
    if any(u.pk not in staff for u in users):
        raise RuleError(_("Choose colleagues of your school."), field="participants")


@transaction.atomic
def forum_settings(*, school, actor, frequency, duration_minutes, place, participants):
    actor = as_actor(actor)
    if not may_set_forum(actor):
        raise PermissionDenied
    if not participants:
        raise RuleError(_("Choose at least one participant."), field="participants")
    _staff_of(school, participants)
    forum = Forum.objects.select_for_update().get(pk=forum_for(school).pk)
    forum.frequency, forum.duration_minutes, forum.place = frequency, duration_minutes, place
    forum.save()
    forum.participants.set(participants)
    return forum


@transaction.atomic
def sitting_schedule(*, forum, actor, starts_at):
    """Book a sitting at a time the finder proposed: the participants are
    invited (notification and .ics) and the agenda is built."""
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    if starts_at <= timezone.now():
        raise RuleError(_("This time has passed. Choose another one."), field="starts_at")
    participants = list(forum.participants.all())
    if not participants:
        raise RuleError(_("The forum has no participants yet: choose them in the forum's settings."))
    sitting = Sitting.objects.create(
        school=forum.school,
        forum=forum,
        starts_at=starts_at,
        duration_minutes=forum.duration_minutes,
        place=forum.place,
        created_by=actor.user,
    )
    sitting.attendees.set(participants)
    agenda_build(sitting=sitting, actor=actor)
    notify(
        school=forum.school,
        recipients=participants,
        kind=NotificationKind.FORUM_SCHEDULED,
        url=sitting.get_absolute_url(),
        label=_("Forum %(date)s") % {"date": f"{timezone.localtime(starts_at):%Y-%m-%d}"},
        exclude=actor.user,
        attachment=attachments.reference("forum", sitting.pk),
    )
    return sitting


def _since(sitting):
    last = selectors.last_held(school=sitting.school, before=sitting.starts_at)
    return last.starts_at if last else sitting.starts_at - agenda.FIRST_LOOK_BACK


@transaction.atomic
def agenda_build(*, sitting, actor, today=None):
    """Add the items the cases call for that the agenda does not hold yet
    (run when the sitting is booked and again before it starts). Returns
    the number of items added."""
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    sitting.require_open()
    today = today or timezone.localdate()
    have = set(sitting.items.values_list("kind", "referral_id", "case_id", "goal_id"))
    new = []
    for kind, records in agenda.candidate_items(school=sitting.school, since=_since(sitting), today=today):
        referral, case, goal = records.get("referral"), records.get("case"), records.get("goal")
        key = (kind, getattr(referral, "pk", None), getattr(case, "pk", None), getattr(goal, "pk", None))
        if key not in have:
            have.add(key)
            new.append(AgendaItem(sitting=sitting, kind=kind, referral=referral, case=case, goal=goal))
    AgendaItem.objects.bulk_create(new)
    Sitting.objects.filter(pk=sitting.pk).update(agenda_built_at=timezone.now())
    return len(new)


def _attends_or_runs(actor, sitting):
    return may_run_forum(actor) or sitting.attendees.filter(pk=actor.user.pk).exists()


@transaction.atomic
def item_add(*, sitting, actor, title, case=None):
    """A participant adds a topic beforehand, about a case they may see or none."""
    actor = as_actor(actor)
    if not _attends_or_runs(actor, sitting):
        raise PermissionDenied
    sitting.require_open()
    title = (title or "").strip()
    if not title:
        raise RuleError(_("Say what you would like to discuss."), field="title")
    if case is not None and not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise RuleError(_("Choose one of the cases you work on."), field="case")
    return AgendaItem.objects.create(sitting=sitting, kind=ItemKind.ADDED, title=title, case=case, added_by=actor.user)


def _item_for(item, actor):
    if not may_run_forum(actor):
        raise PermissionDenied
    return AgendaItem.objects.select_for_update(of=("self",)).select_related("sitting", "case").get(pk=item.pk)


@transaction.atomic
def minutes_save(*, item, actor, minutes):
    """The minutes of one item, written during the forum."""
    actor = as_actor(actor)
    item = _item_for(item, actor)
    item.minutes = minutes
    item.save(update_fields=["minutes"])
    return item


@transaction.atomic
def decision_record(*, item, actor, description, responsible, due_on):
    """A decision on an item about a case becomes, in one step, an action of
    that case with one responsible person (put on the team when needed) and a
    due date; it shows on their /tasks/."""
    actor = as_actor(actor)
    item = _item_for(item, actor)
    case = item.case
    if case is None:
        raise RuleError(_("Only an item about a case can have a decision that becomes an action."))
    if due_on is None or due_on < timezone.localdate():
        raise RuleError(_("Choose a due date from today on."), field="due_on")
    if not Membership.objects.filter(school=case.school, user=responsible).exists():
        raise RuleError(_("Choose a colleague of your school."), field="responsible")
    if not CaseMember.objects.filter(case=case, user=responsible).exists():
        roles = set(Membership.objects.filter(school=case.school, user=responsible).values_list("role", flat=True))
        if Role.COUNSELOR in roles:
            role = TeamRole.OTHER_COUNSELOR
        elif Role.VICE_PRINCIPAL in roles:
            role = TeamRole.VICE_PRINCIPAL
        else:
            role = TeamRole.SUBJECT_TEACHER
        casework.case_add_member(case=case, user=responsible, role=role, actor=actor)
    action = casework.action_add(
        case=case,
        actor=actor,
        description=description,
        responsible=responsible,
        starts_on=timezone.localdate(),
        ends_on=due_on,
    )
    return Decision.objects.create(item=item, action=action, created_by=actor.user)


@transaction.atomic
def attendance_save(*, sitting, actor, present):
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    invited = set(sitting.attendees.values_list("pk", flat=True))
    if any(u.pk not in invited for u in present):
        raise RuleError(_("Only invited participants can be marked present."), field="present")
    sitting.present.set(present)


@transaction.atomic
def recap_send(*, sitting, actor):
    """Close the sitting and tell each participant: in the app the recap (what
    was decided, who does what, as each may see it); outside it a neutral
    sentence and the link."""
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.is_held:
        raise RuleError(_("The recap of this forum was already sent."))
    sitting.require_open()
    if sitting.starts_at > timezone.now():
        raise RuleError(_("The forum has not started yet."))
    sitting.recap_sent_at = timezone.now()
    sitting.save(update_fields=["recap_sent_at"])
    notify(
        school=sitting.school,
        recipients=list(sitting.attendees.all()),
        kind=NotificationKind.FORUM_RECAP,
        url=sitting.get_absolute_url() + "#recap",
        label=_("Forum %(date)s") % {"date": f"{timezone.localtime(sitting.starts_at):%Y-%m-%d}"},
        exclude=actor.user,
    )
    return sitting


@transaction.atomic
def sitting_move(*, sitting, actor, starts_at):
    """Move a sitting to another time the finder proposed: the participants'
    calendars update the same event (same UID, a higher SEQUENCE)."""
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    sitting.require_open()
    if starts_at <= timezone.now():
        raise RuleError(_("This time has passed. Choose another one."), field="starts_at")
    sitting.starts_at = starts_at
    sitting.sequence += 1
    sitting.save(update_fields=["starts_at", "sequence"])
    notify(
        school=sitting.school,
        recipients=list(sitting.attendees.all()),
        kind=NotificationKind.FORUM_SCHEDULED,
        url=sitting.get_absolute_url(),
        label=_("Forum %(date)s") % {"date": f"{timezone.localtime(starts_at):%Y-%m-%d}"},
        exclude=actor.user,
        attachment=attachments.reference("forum", sitting.pk),
    )
    return sitting


@transaction.atomic
def sitting_cancel(*, sitting, actor):
    """Call a sitting off before it is held: the participants are told, and
    their calendars drop it (METHOD:CANCEL, same UID, a higher SEQUENCE)."""
    actor = as_actor(actor)
    if not may_run_forum(actor):
        raise PermissionDenied
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    sitting.require_open()
    sitting.cancelled_at = timezone.now()
    sitting.sequence += 1
    sitting.save(update_fields=["cancelled_at", "sequence"])
    notify(
        school=sitting.school,
        recipients=list(sitting.attendees.all()),
        kind=NotificationKind.FORUM_CANCELLED,
        url=sitting.get_absolute_url(),
        label=_("Forum %(date)s") % {"date": f"{timezone.localtime(sitting.starts_at):%Y-%m-%d}"},
        exclude=actor.user,
        attachment=attachments.reference("forum", sitting.pk),
    )
    return sitting


def next_due(forum, *, today=None):
    """When the next sitting is due by the forum's rhythm (for the page)."""
    today = today or timezone.localdate()
    last = forum.sittings.filter(cancelled_at__isnull=True).order_by("-starts_at").first()
    if last is None:
        return today
    step = datetime.timedelta(days=7 if forum.frequency == "weekly" else 28)
    return max(today, timezone.localdate(last.starts_at) + step)
