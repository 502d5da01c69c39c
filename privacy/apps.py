from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Data protection")

    def ready(self):
        from accounts import policy
        from privacy import (
            checks,  # noqa: F401  (registers the system checks)
            selectors,
        )

        policy.register_scope(
            "student",
            param="student_id",
            lookup=lambda actor, pk: selectors.export_student(actor=actor, student_id=pk),
        )
