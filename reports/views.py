import itertools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.policy import actor_for, resolved
from audit.models import AuditAction, ObjectType
from audit.services import audit_record
from common.csv_export import csv_lines
from reports import exports, selectors, services
from reports.forms import filter_form_for
from reports.indicators import build_report
from reports.models import ExportStatus, ReportExport

CASES_PER_PAGE = 50


def _reports_actor(request):
    actor = actor_for(request)
    return actor


def _get_export(request, export_id):
    """The user's own export; anyone else's is not found."""
    actor = _reports_actor(request)
    return resolved(request, "own") or get_object_or_404(
        ReportExport, pk=export_id, school=actor.school, requested_by=request.user
    )


@require_GET
def index(request):
    actor = _reports_actor(request)
    form = filter_form_for(actor.school, request.GET)
    context = {"form": form}
    if form.is_valid():
        filters = form.to_filters(term=form.term)
        report = build_report(actor=actor, filters=filters, categories=form.categories)
        context.update(report=report, filters=filters, export_query=urlencode(filters.as_params()))
        if not filters.suppress:
            # The case list names students: it is left out of copies shared
            # outside the school (suppression on).
            page = Paginator(selectors.case_list(actor=actor, filters=filters), CASES_PER_PAGE).get_page(
                request.GET.get("page")
            )
            concerns = selectors.case_concerns([case.pk for case in page], form.categories)
            for case in page:
                case.concerns = concerns.get(case.pk, [])
            context["cases_page"] = page
    return render(request, "reports/index.html", context)


@require_GET
def export(request):
    actor = _reports_actor(request)
    fmt, dataset = request.GET.get("format"), request.GET.get("dataset")
    back = (
        reverse("reports:index")
        + "?"
        + urlencode({k: v for k, v in request.GET.items() if k not in ("format", "dataset")})
    )
    if fmt not in exports.FORMATS or dataset not in exports.DATASETS:
        messages.error(request, _("Choose CSV or XLSX, and the indicators or the case list."))
        return redirect(back)
    form = filter_form_for(actor.school, request.GET)
    if not form.is_valid():
        messages.error(request, _("Correct the filters, then export again."))
        return redirect(back)
    filters = form.to_filters(term=form.term)
    filename = exports.filename_for(dataset=dataset, filters=filters, fmt=fmt)
    audit_record(
        request=request,
        action=AuditAction.EXPORT,
        object_type=ObjectType.REPORT,
        object_id=dataset,
        detail={"format": fmt, "suppressed": bool(filters.suppress)},
    )

    if dataset == "cases":
        if filters.suppress:
            messages.error(
                request,
                _("The case list names students, so it cannot be exported for sharing outside the school."),
            )
            return redirect(back)
        cases, concerns = exports.case_export_rows(actor=actor, filters=filters, categories=form.categories)
        if cases.count() > settings.REPORTS_STREAM_MAX_ROWS:
            job = services.report_export_request(actor=actor, filters=filters, dataset=dataset, fmt=fmt)
            return redirect("reports:export_status", job.pk)
        rows = itertools.chain([exports.case_header()], exports.case_rows(cases.iterator(chunk_size=1000), concerns))
        if fmt == "xlsx":
            content = exports.xlsx_bytes([(exports.case_sheet_title(), rows)])
            return _attachment(HttpResponse(content, content_type=exports.FORMATS[fmt]), filename)
        return _attachment(_csv_stream(rows), filename)

    report = build_report(actor=actor, filters=filters, categories=form.categories)
    if fmt == "xlsx":
        content = exports.xlsx_bytes(exports.indicator_sheets(report))
        return _attachment(HttpResponse(content, content_type=exports.FORMATS[fmt]), filename)
    return _attachment(_csv_stream(exports.indicator_csv_rows(report)), filename)


def _csv_stream(rows):
    # The rows are read while the response streams, after the view has
    # returned: keep the user's language for the labels.
    lines = exports.in_language(csv_lines(rows), translation.get_language())
    return StreamingHttpResponse(lines, content_type=exports.FORMATS["csv"])


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_status(request, export_id):
    job = _get_export(request, export_id)
    context = {"job": job, "ExportStatus": ExportStatus, "back_query": urlencode(job.params.get("filters", {}))}
    return render(request, "reports/export_status.html", context)


@require_GET
def export_download(request, export_id):
    job = _get_export(request, export_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        object_type=ObjectType.REPORT,
        object_id=str(job.pk),
    )
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response
