import itertools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.policy import actor_for, resolved
from audit.models import AuditAction, ObjectType
from audit.services import audit_record
from common.csv_export import csv_lines
from reports import exports, selectors, services
from reports.forms import filter_form_for
from reports.indicators import build_report
from reports.models import ExportStatus, ReportExport
from reports.report_cache import cached_filter_form, cached_report
from roster.schooldays import SchoolCalendar

CASES_PER_PAGE = 50
REFERRALS_PER_PAGE = 50
REFERRALS_PAGE_PARAM = "referrals_page"


def _reports_actor(request):
    actor = actor_for(request)
    return actor


def _get_export(request, export_id):
    """The user's own export; anyone else's is not found."""
    actor = _reports_actor(request)
    return resolved(request, "own") or get_object_or_404(
        ReportExport, pk=export_id, school=actor.school, requested_by=request.user
    )


def index(request):
    actor = _reports_actor(request)
    form = filter_form_for(actor.school, request.GET)
    context = {"form": form}
    if form.is_valid():
        filters = form.to_filters(term=form.term)
        calendar = SchoolCalendar(filters.school)
        report = cached_report(actor=actor, filters=filters, categories=form.categories, calendar=calendar)
        context.update(report=report, filters=filters, export_query=urlencode(filters.as_params()))
        context["filter_form_html"] = cached_filter_form(
            school_id=actor.school.pk,
            data=request.GET,
            render=lambda: render_to_string("reports/partials/filters.html", {"form": form, "report": report}, request),
        )
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
            context["referrals_page"] = _referrals_page(request, actor, filters, form.categories, calendar)
    return render(request, "reports/index.html", context)


def _referrals_page(request, actor, filters, categories, calendar):
    """A page of the referral list (its own page parameter), each row with
    its concerns and school days to triage: three queries."""
    paginator = Paginator(selectors.referral_list(actor=actor, filters=filters), REFERRALS_PER_PAGE)
    page = paginator.get_page(request.GET.get(REFERRALS_PAGE_PARAM))
    if page.has_previous():
        page.previous_query = {REFERRALS_PAGE_PARAM: page.previous_page_number()}
    if page.has_next():
        page.next_query = {REFERRALS_PAGE_PARAM: page.next_page_number()}
    rows = exports.referral_rows(page, selectors.referral_concerns([r.pk for r in page], categories), calendar)
    for referral, row in zip(page, rows, strict=True):
        referral.concerns, referral.triage_days = row[3], row[5]
    return page


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

    if dataset in exports.LISTS:
        if filters.suppress:
            if dataset == "cases":
                message = _("The case list names students, so it cannot be exported for sharing outside the school.")
            else:
                message = _("The referral list cannot be exported for sharing outside the school.")
            messages.error(request, message)
            return redirect(back)
        title, header, items, rows_of = exports.list_export(
            dataset=dataset, actor=actor, filters=filters, categories=form.categories
        )
        if items.count() > settings.REPORTS_STREAM_MAX_ROWS:
            job = services.report_export_request(actor=actor, filters=filters, dataset=dataset, fmt=fmt)
            return redirect("reports:export_status", job.pk)
        rows = itertools.chain([header], rows_of(items.iterator(chunk_size=1000)))
        if fmt == "xlsx":
            content = exports.xlsx_bytes([(title, rows)])
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


def export_status(request, export_id):
    job = _get_export(request, export_id)
    context = {"job": job, "ExportStatus": ExportStatus, "back_query": urlencode(job.params.get("filters", {}))}
    return render(request, "reports/export_status.html", context)


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
