"""The caseload's rows, drawn in Python: 50 cards of a dozen translated labels
each cost the template engine about a third of the page. The markup is what
templates/casework/caseload.html drew per case (and
templates/casework/partials/status_badge.html for the status)."""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

BADGE_CLASSES = {"open": "text-bg-info", "active": "text-bg-primary", "monitoring": "text-bg-warning"}


def status_badge(status, label):
    return format_html(
        '<span class="badge rounded-pill {}"><span class="visually-hidden">{} </span>{}</span>',
        BADGE_CLASSES.get(status, "text-bg-secondary"),
        _("Status:"),
        label,
    )


def _next_follow_up(case, today):
    day = case.next_follow_up
    if not day:
        return "—"
    if day < today:
        flag = format_html(' <span class="badge text-bg-danger">{}</span>', _("Overdue"))
    elif day == today:
        flag = format_html(' <span class="badge text-bg-warning">{}</span>', _("Today"))
    else:
        flag = ""
    return format_html("{}{}", date_format(day, "DATE_FORMAT"), flag)


def _case_card(case, today, next_param):
    detail = reverse("casework:detail", args=[case.pk])
    urgent = format_html('\n<span class="badge text-bg-danger">{}</span>', _("Urgent")) if case.urgent else ""
    if case.needs_decision:
        decision = format_html(
            '<a class="badge text-bg-warning" href="{}#progress">{}</a>', detail, _("Yes: read the progress")
        )
    else:
        decision = "—"
    if case.is_closed:
        follow_up = ""
    else:
        follow_up = format_html(
            '<div class="inline-form">\n<a class="btn btn-outline-primary btn-sm" href="{}?next={}" '
            'data-on-demand-form aria-expanded="false">{}<span class="visually-hidden"> {}</span></a>\n'
            "<div data-form-slot hidden></div>\n</div>\n",
            reverse("casework:follow_up_add", args=[case.pk]),
            next_param,
            _("Add follow-up"),
            case.number,
        )
    classroom = case.student.classroom
    return format_html(
        '<li class="card mb-2">\n<div class="card-body py-2">\n<div class="d-flex flex-wrap gap-2 align-items-center">\n'
        '<a class="fw-semibold" href="{}">{} · {}</a>\n<span class="text-body-secondary">{}</span>\n{}{}\n</div>\n'
        '<dl class="row small mb-1 mt-1">\n'
        '<dt class="col-6 col-md-3">{}</dt>\n<dd class="col-6 col-md-3">{}</dd>\n'
        '<dt class="col-6 col-md-3">{}</dt><dd class="col-6 col-md-3">{}</dd>\n'
        '<dt class="col-6 col-md-3">{}</dt><dd class="col-6 col-md-3">{}</dd>\n'
        '<dt class="col-6 col-md-3">{}</dt><dd class="col-6 col-md-3">{}</dd>\n'
        '<dt class="col-6 col-md-3">{}</dt><dd class="col-6 col-md-3" data-needs-decision="{}">{}</dd>\n'
        "</dl>\n{}</div>\n</li>\n",
        detail,
        case.number,
        case.student.full_name,
        (classroom.name if classroom else "") or "",
        status_badge(case.status, case.get_status_display()),
        urgent,
        _("Next follow-up"),
        _next_follow_up(case, today),
        _("Overdue follow-ups"),
        case.overdue_follow_ups,
        _("Actions due this week"),
        case.actions_due,
        _("Lead counselor"),
        case.lead_counselor.get_full_name(),
        _("Needs a decision"),
        "1" if case.needs_decision else "0",
        decision,
        follow_up,
    )


@register.simple_tag(takes_context=True)
def caseload_cards(context, cases):
    next_param = quote(context["request"].get_full_path())
    today = context["today"]
    return mark_safe("".join(_case_card(case, today, next_param) for case in cases))  # noqa: S308 - format_html rows
