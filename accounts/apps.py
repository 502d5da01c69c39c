from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models import fields

        from accounts import sessions  # noqa: F401  (session times at sign-in)

        # The empty choice of every select, in our catalogues (Django's Indonesian has none).
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
