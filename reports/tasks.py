from celery import shared_task

from reports import services


@shared_task(ignore_result=True)
def build_export(export_id):
    """Build a large report export (see services.report_export_build)."""
    services.report_export_build(export_id=export_id)


@shared_task(ignore_result=True)
def sweep_exports():
    """Queue again exports whose task was lost; fail those whose worker died (beat)."""
    services.report_exports_sweep()


@shared_task(ignore_result=True)
def purge_old_exports():
    """Remove exports older than a week (beat, daily; new exports also clear
    their school's old ones)."""
    from django.utils import timezone

    services.report_exports_purge(older_than=timezone.now() - services.KEEP_EXPORTS_FOR)
