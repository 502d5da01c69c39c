from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from casework.ics import meeting_invitation
        from casework.reminders import follow_up_reminders
        from casework.services import open_case_for
        from notifications import attachments, reminders
        from referrals import hooks

        hooks.register_open_case_lookup(open_case_for)
        attachments.register("meeting", meeting_invitation)
        reminders.register("follow_ups", follow_up_reminders)
