from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from accounts import policy
        from notifications.models import Notification

        def find_notification(actor, pk):
            return Notification.objects.filter(pk=pk, recipient=actor.user, school=actor.school).first()

        policy.register_own_row("notifications:read", param="notification_id", lookup=find_notification)
