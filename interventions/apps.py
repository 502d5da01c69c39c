from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Intervention library")

    def ready(self):
        from accounts import policy
        from interventions.models import Group

        # How accounts.policy finds the group a URL names.
        policy.register_scope(
            "group",
            queryset=Group.objects.visible_to,
            lookup=lambda actor, pk: (
                Group.objects.visible_to(actor).select_related("leader", "strategy").filter(pk=pk).first()
            ),
        )
