from django.contrib import admin

from accounts.admin_scoping import SchoolScopedAdmin
from schooldata.models import Thresholds


@admin.register(Thresholds)
class ThresholdsAdmin(SchoolScopedAdmin):
    """The early-warning list's thresholds, one row per school (see README, Early warning)."""

    list_display = ["school", "kkm", "subjects_below", "drop_points", "min_attendance", "max_unexcused"]
