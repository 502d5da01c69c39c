"""Notification settings for the demo school.

The referral and casework seeders create their notifications through the
services, which also queue emails. Demo data is for looking at: the pending
deliveries of the demo school are removed before the seeding transaction
commits, so `seed_demo` sends no email. The vice principal reads a daily
digest, to show that setting.
"""

from accounts.models import Role, User
from notifications.models import Delivery, DeliveryStatus, NotificationPreference


def seed(school):
    Delivery.objects.filter(notification__school=school, status=DeliveryStatus.PENDING).delete()
    users = User.objects.filter(memberships__school=school).distinct()
    if NotificationPreference.objects.filter(user__in=users).exists():
        return
    vp = users.filter(memberships__role=Role.VICE_PRINCIPAL).order_by("pk").first()
    if vp is not None:
        NotificationPreference.objects.create(user=vp, email_digest=True)
