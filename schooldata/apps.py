from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchooldataConfig(AppConfig):
    name = "schooldata"
    verbose_name = _("School records")
