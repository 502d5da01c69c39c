"""Background exports: asking for one and building it."""

import datetime
import itertools
import logging
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.utils import timezone, translation

from accounts.policy import Actor
from common.csv_export import csv_lines
from common.tasks import enqueue, enqueue_on_commit
from reports import exports
from reports.forms import filter_form_for
from reports.indicators import build_report
from reports.models import ExportStatus, ReportExport

logger = logging.getLogger(__name__)

# Finished exports hold student names: they are removed after this long.
KEEP_EXPORTS_FOR = datetime.timedelta(days=7)
# An export still pending this long after it was asked for lost its task (the
# broker was down, or the message was lost): the sweep queues it again.
REQUEUE_PENDING_AFTER = datetime.timedelta(minutes=2)
# An export still running this long after it was asked for lost its worker:
# it is marked failed, so that its page stops waiting and the user asks again.
GIVE_UP_RUNNING_AFTER = datetime.timedelta(hours=1)


# A large export is kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 1024 * 1024


def report_export_request(*, actor, filters, dataset: str, fmt: str) -> ReportExport:
    """Record an export for `actor` and build it in the background once the
    request's transaction has committed."""
    from reports.tasks import build_export

    report_exports_purge(school=actor.school, older_than=timezone.now() - KEEP_EXPORTS_FOR)
    export = ReportExport.objects.create(
        school=actor.school,
        requested_by=actor.user,
        params={"dataset": dataset, "format": fmt, "filters": filters.as_params()},
        filename=exports.filename_for(dataset=dataset, filters=filters, fmt=fmt),
    )
    export_id = str(export.pk)
    # A broker that is down must not turn the request into an error: the
    # export stays pending and report_exports_sweep queues it again.
    enqueue_on_commit(build_export, export_id)
    return export


def report_exports_sweep(*, now=None) -> tuple[int, int]:
    """Queue again the exports whose task was lost, and fail those whose worker
    died while building. Returns (queued again, failed)."""
    from reports.tasks import build_export

    now = now or timezone.now()
    stale = ReportExport.objects.filter(status=ExportStatus.RUNNING, created_at__lt=now - GIVE_UP_RUNNING_AFTER)
    failed = stale.update(status=ExportStatus.FAILED, finished_at=now)
    pending = ReportExport.objects.filter(status=ExportStatus.PENDING, created_at__lt=now - REQUEUE_PENDING_AFTER)
    queued = 0
    for export_id in pending.values_list("pk", flat=True):
        if not enqueue(build_export, str(export_id)):
            break  # the broker is still down: the next sweep tries again
        queued += 1
    return queued, failed


def report_exports_purge(*, older_than: datetime.datetime, school=None) -> int:
    """Delete exports (and their files) asked for before `older_than`: one
    school's, or every school's when `school` is None."""
    old = ReportExport.objects.filter(created_at__lt=older_than)
    if school is not None:
        old = old.for_school(school)
    old = list(old)
    for export in old:
        if export.file:
            export.file.delete(save=False)
    ReportExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)


def _set_progress(export_id, done, total):
    if total:
        percent = min(99, done * 100 // total)
        ReportExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(progress=percent)


def _build_content(export):
    """The file's bytes, built with the requesting user's scope and language."""
    actor = Actor(export.requested_by)
    if actor.school != export.school or not actor.may("reports", "view"):
        raise PermissionDenied("The requesting user may no longer see reports.")
    form = filter_form_for(export.school, export.params.get("filters", {}))
    if not form.is_valid():
        raise ValueError(f"Invalid filters: {form.errors.as_json()}")
    filters = form.to_filters(term=form.term)
    dataset, fmt = export.params["dataset"], export.params["format"]

    if dataset in exports.LISTS:
        title, header, items, rows_of = exports.list_export(
            dataset=dataset, actor=actor, filters=filters, categories=form.categories
        )
        total = items.count()

        def progress(done):
            _set_progress(export.pk, done, total)

        rows = rows_of(items.iterator(chunk_size=1000))
        # Written to a temporary file as the rows are read (1,000 at a time):
        # memory stays the same whatever the number of rows.
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by report_export_build)
        if fmt == "xlsx":
            exports.xlsx_write(out, [(title, itertools.chain([header], rows))], progress=progress)
        else:
            out.writelines(csv_lines(itertools.chain([header], exports.counting(rows, progress))))
        out.seek(0)
        return File(out)

    report = build_report(actor=actor, filters=filters, categories=form.categories)
    if fmt == "xlsx":
        return ContentFile(exports.xlsx_bytes(exports.indicator_sheets(report)))
    return ContentFile(b"".join(csv_lines(exports.indicator_csv_rows(report))))


def report_export_build(*, export_id) -> None:
    """Build a pending export once (a second delivery of the task finds it
    already claimed and does nothing)."""
    claimed = ReportExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, progress=0
    )
    if not claimed:
        return
    export = ReportExport.objects.select_related("school", "requested_by").get(pk=export_id)
    try:
        with translation.override(export.requested_by.language or None):
            content = _build_content(export)
        with content:
            export.file.save(f"{export.pk}.{export.params['format']}", content, save=False)
    except Exception:
        logger.exception("Report export %s failed", export_id)
        ReportExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED, finished_at=timezone.now())
        return
    ReportExport.objects.filter(pk=export_id).update(
        status=ExportStatus.DONE, progress=100, file=export.file.name, finished_at=timezone.now()
    )
