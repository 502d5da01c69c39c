"""Telling people what happened. Called by other apps' services inside their
transaction, so the notification rows commit (or roll back) with the event."""

from notifications.models import Notification


def notify(*, school, recipients, kind, url, label="", exclude=None):
    """Create one in-app notification per distinct recipient (not the one who acted)."""
    seen = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        rows.append(Notification(school=school, recipient=user, kind=kind, url=url, label=label))
    return Notification.objects.bulk_create(rows)
