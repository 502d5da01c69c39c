from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from casework.services import open_case_for
        from referrals import hooks

        hooks.register_open_case_lookup(open_case_for)
