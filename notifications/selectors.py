"""Read-side queries for the notification pages and the bell."""

from django.db.models import Exists, OuterRef

from notifications.models import Delivery, DeliveryStatus, Notification


def inbox_for(*, user, school):
    """A user's notifications at their school, newest first, each marked when
    one of its messages outside the app could not be sent."""
    failed = Delivery.objects.filter(notification=OuterRef("pk"), status=DeliveryStatus.FAILED)
    return Notification.objects.filter(recipient=user, school=school).annotate(delivery_failed=Exists(failed))


def unread_count(*, user, school):
    """One COUNT on the inbox index."""
    if school is None:
        return 0
    return Notification.objects.filter(recipient=user, school=school, read_at__isnull=True).count()
