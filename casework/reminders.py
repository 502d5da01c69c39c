"""Casework's morning reminders, run by notifications.reminders (registered in
CaseworkConfig.ready()): a follow-up due tomorrow, or overdue, reminds its
author once per entry per day while the case is not closed."""

import datetime

from django.db.models import Q
from django.urls import reverse

from casework.models import CaseStatus, EvaluationEntry
from notifications.models import Notification, NotificationKind


def follow_up_reminders(*, today):
    """FOLLOW_UP_DUE for follow-ups due tomorrow, FOLLOW_UP_OVERDUE for those
    past their date, to the entry's author (unsaved, with dedupe keys)."""
    tomorrow = today + datetime.timedelta(days=1)
    entries = (
        EvaluationEntry.objects.filter(follow_up_done_at__isnull=True, author__is_active=True)
        .filter(Q(next_follow_up=tomorrow) | Q(next_follow_up__lt=today))
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "author")
        .order_by("pk")
    )
    rows = []
    for entry in entries.iterator(chunk_size=500):
        kind = (
            NotificationKind.FOLLOW_UP_DUE if entry.next_follow_up == tomorrow else NotificationKind.FOLLOW_UP_OVERDUE
        )
        rows.append(
            Notification(
                school_id=entry.case.school_id,
                recipient=entry.author,
                kind=kind,
                url=reverse("casework:detail", args=[entry.case_id]),
                label=entry.case.number,
                dedupe_key=f"follow_up:{entry.pk}:{today.isoformat()}",
            )
        )
    return rows
