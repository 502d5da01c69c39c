"""Read-side queries of the forum: the agenda as each participant may see
it, a sitting's page, the busy times the finder reads, the report."""

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import ActionStatus, Case
from forums.models import Decision, Sitting
from referrals.models import Referral


def sittings_busy(*, school, user_ids, since, until):
    """{user_id: [(start, end, label)]} of forum sittings, naive school time (one query)."""
    rows = Sitting.attendees.through.objects.filter(
        user_id__in=user_ids,
        sitting__school=school,
        sitting__cancelled_at__isnull=True,
        sitting__starts_at__gte=since - datetime.timedelta(days=1),
        sitting__starts_at__lt=until,
    ).values_list("user_id", "sitting__starts_at", "sitting__duration_minutes")
    found = {}
    for user_id, starts_at, minutes in rows:
        start = timezone.make_naive(starts_at)
        end = start + datetime.timedelta(minutes=minutes)
        label = _("the coordination forum (%(start)s–%(end)s)") % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        found.setdefault(user_id, []).append((start, end, label))
    return found


def visible_items(*, sitting, actor):
    """The sitting's agenda items this actor may see: an item about a
    referral or a case only when the access policy lets them see that
    record; topics added without a record, always. A fixed number of queries."""
    cases = Case.objects.visible_to(actor).values("id")
    referrals = Referral.objects.visible_to(actor).values("id")
    decisions = Decision.objects.select_related("action__responsible").order_by("id")
    return list(
        sitting.items.filter(
            (Q(case__isnull=True) | Q(case_id__in=cases)) & (Q(referral__isnull=True) | Q(referral_id__in=referrals))
        )
        .select_related("case__student", "referral__student", "goal", "added_by", "case__lead_counselor")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("id")
    )


def sitting_page(*, sitting, actor):
    attendees = list(sitting.attendees.order_by("full_name"))
    present = set(sitting.present.values_list("pk", flat=True))
    items = visible_items(sitting=sitting, actor=actor)
    return {
        "attendees": attendees,
        "present_ids": present,
        "items": items,
        "hidden_count": sitting.items.count() - len(items),
    }


def sittings_for(*, actor):
    """The sittings the actor may open, newest first, with counts (one query)."""
    return list(
        Sitting.objects.visible_to(actor)
        .annotate(item_count=Count("items", distinct=True), invited=Count("attendees", distinct=True))
        .order_by("-starts_at")[:30]
    )


def last_held(*, school, before):
    return (
        Sitting.objects.filter(school=school, recap_sent_at__isnull=False, starts_at__lt=before)
        .order_by("-starts_at")
        .first()
    )


def report(*, school, today=None):
    """The vice principal's line: forums held, attendance, and decisions
    carried out on time (three queries)."""
    today = today or timezone.localdate()
    held = list(
        Sitting.objects.filter(school=school, recap_sent_at__isnull=False).annotate(
            invited=Count("attendees", distinct=True), came=Count("present", distinct=True)
        )
    )
    invited = sum(s.invited for s in held)
    came = sum(s.came for s in held)
    decisions = Decision.objects.filter(item__sitting__school=school).select_related("action")
    on_time = late = open_overdue = pending = 0
    for decision in decisions:
        action = decision.action
        due = action.ends_on
        if action.status == ActionStatus.DONE:
            done_on = timezone.localdate(action.completed_at) if action.completed_at else today
            if due is None or done_on <= due:
                on_time += 1
            else:
                late += 1
        elif action.status == ActionStatus.CANCELLED:
            continue
        elif due is not None and due < today:
            open_overdue += 1
        else:
            pending += 1
    counted = on_time + late + open_overdue
    return {
        "held": len(held),
        "attendance": round(100 * came / invited) if invited else None,
        "decisions": on_time + late + open_overdue + pending,
        "on_time": on_time,
        "late": late,
        "overdue": open_overdue,
        "pending": pending,
        "on_time_rate": round(100 * on_time / counted) if counted else None,
    }
