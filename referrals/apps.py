from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from accounts import policy
        from notifications import reminders, subjects
        from referrals import (
            receivers,  # noqa: F401  (seeds a new school's concern categories)
            selectors,
        )
        from referrals.models import InputRequest, Referral
        from referrals.reminders import waiting_referral_reminders

        reminders.register("waiting_referrals", waiting_referral_reminders)

        def find_referral(actor, pk):
            try:
                return selectors.referral_for_page(Referral.objects.visible_to(actor), pk)
            except Referral.DoesNotExist:
                return None

        def find_input_request(actor, pk):
            rows = InputRequest.objects.select_related("referral__student__classroom", "requested_by")
            return rows.filter(pk=pk, requested_from=actor.user, referral__school=actor.school).first()

        # How accounts.policy finds the records of referral URLs.
        policy.register_scope("referral", queryset=Referral.objects.visible_to, lookup=find_referral)
        policy.register_own_row("referrals:input", param="pk", lookup=find_input_request)

        def referral_students(actor, pks):
            rows = Referral.objects.visible_to(actor).filter(pk__in=pks)
            return dict(rows.values_list("pk", "student__full_name"))

        def input_request_students(actor, pks):
            rows = InputRequest.objects.filter(pk__in=pks, requested_from=actor.user, referral__school=actor.school)
            return dict(rows.values_list("pk", "referral__student__full_name"))

        # The student a notification names in the app, for who may see them.
        subjects.register("referrals:detail", referral_students)
        subjects.register("referrals:input", input_request_students)
