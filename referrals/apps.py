from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from notifications import reminders
        from referrals import receivers  # noqa: F401  (seeds a new school's concern categories)
        from referrals.reminders import waiting_referral_reminders

        reminders.register("waiting_referrals", waiting_referral_reminders)
