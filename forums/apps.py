from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Coordination forums")

    def ready(self):
        from accounts import policy
        from casework import scheduling
        from forums.ics import sitting_invitation
        from forums.models import Sitting
        from forums.reminders import forum_reminders
        from forums.selectors import sittings_busy
        from notifications import attachments, reminders

        policy.register_scope("forum", queryset=Sitting.objects.visible_to)
        attachments.register("forum", sitting_invitation)
        reminders.register("forums", forum_reminders)
        # Forum sittings are Sinergi meetings too: the finder counts them.
        scheduling.register_busy_source(sittings_busy)
