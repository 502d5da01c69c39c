from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from accounts import policy
        from reports.models import ReportExport

        def find_export(actor, pk):
            return ReportExport.objects.filter(pk=pk, school=actor.school, requested_by=actor.user).first()

        for url_name in ("reports:export_status", "reports:export_download"):
            policy.register_own_row(url_name, param="export_id", lookup=find_export)

        from reports import signals

        signals.connect()
