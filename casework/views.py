"""Casework pages: the caseload, my tasks, the case record and its forms.

Every view starts from ``_case_for`` (the one access check for cases: an
out-of-scope case is 404) and then asks the actor for the role (403).
Writes go through casework.services; a broken rule comes back as a form
error next to the field or at the top of the form, never as a 500.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import HiddenInput
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.policy import (
    actor_for,
    is_responsible,
    may_complete_action,
    may_download_meeting,
    may_finish_follow_up,
    may_lead_case,
    may_reassign,
    may_see_confidential,
    may_write_entry,
    resolved,
)
from audit.models import Action as AuditAction
from audit.services import audit_record
from casework import forms, selectors, services
from casework.filters import CaseloadFilter
from casework.ics import meeting_filename, meeting_ics
from casework.models import CaseStatus, EntryKind, EvaluationRating
from casework.services import MANUAL_TRANSITIONS, CaseworkError, StaleEdit
from notifications.messages import absolute_url

TEACHER_ENTRY_KINDS = [EntryKind.PROGRESS_CHECK, EntryKind.OBSERVATION, EntryKind.PARENT_CONTACT, EntryKind.MEETING]
CASELOAD_PAGE_SIZE = 50


def _case_for(request, pk):
    """The case if the actor may see it (404 otherwise), with its header rows."""
    actor = actor_for(request)
    case = resolved(request, "case") or get_object_or_404(selectors.case_queryset(actor), pk=pk)
    return actor, case


def _data(request):
    """The POST data of a submitted form (even an empty one), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _detail_url(case, anchor=""):
    return case.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _audit_change(request, obj):
    """One audit row per saved change, named by the page that made it."""
    audit_record(request=request, action=AuditAction.CHANGE, obj=obj, detail={"step": request.resolver_match.url_name})


def _done(request, case, message, anchor=""):
    _audit_change(request, case)
    messages.success(request, message)
    return redirect(_detail_url(case, anchor))


def _next_or(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _form_page(request, case, form, *, title, submit, action, back="", conflict=None, intro="", status=200):
    return render(
        request,
        "casework/form_page.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "submit": submit,
            "action": action,
            "back": back or _detail_url(case),
            "conflict": conflict,
            "intro": intro,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
        status=status,
    )


def _submitted(form):
    """(label, value) of what a user typed, to show back when their save was refused."""
    rows = []
    for name, field in form.fields.items():
        if isinstance(field.widget, HiddenInput):
            continue
        value = form.cleaned_data.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif hasattr(field, "choices") and not hasattr(value, "pk") and value not in (None, ""):
            value = dict(field.choices).get(value, value)
        rows.append((field.label, value if value not in (None, "") else "—"))
    return rows


def _permissions(actor, case, page=None):
    lead = may_lead_case(actor)
    writable = not case.is_closed
    return SimpleNamespace(
        lead=lead,
        edit=lead and writable,
        reassign=may_reassign(actor) and writable,
        confidential=may_see_confidential(actor),
        entries=writable and (lead or bool(page and page.my_action_ids)),
    )


def _members(case):
    return list(case.members.select_related("user"))


# Dashboards -----------------------------------------------------------------


@require_GET
def caseload(request):
    """The counselor's caseload: cases with follow-ups, actions due and urgent flags."""
    actor = actor_for(request)
    actor.require("caseload", "view")
    filterset = CaseloadFilter(request.GET, queryset=selectors.caseload(actor=actor), actor=actor)
    cases = filterset.qs
    totals = selectors.caseload_totals(cases)
    page = Paginator(cases, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.follow_up_form = forms.FollowUpForm(auto_id=f"id_fu{case.pk}_%s")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/caseload.html",
        {
            "filter": filterset,
            "page_obj": page,
            "totals": totals,
            "triage_waiting": selectors.triage_waiting(actor=actor),
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


@require_GET
def tasks(request):
    """My open actions and follow-ups across cases, each with a one-step done."""
    actor = actor_for(request)
    actor.require("tasks", "view")
    mine = selectors.tasks_for(actor=actor)
    # Each row's "done" form is drawn by templates/casework/partials/quick_entry_fields.html
    # (plain inputs, so that hundreds of rows render fast); the POST is validated by
    # forms.QuickEntryForm / forms.FollowUpDoneForm.
    return render(
        request,
        "casework/tasks.html",
        {
            "tasks": mine,
            "ratings": EvaluationRating.choices,
            "classroom_cases": selectors.classroom_guidance_for(actor=actor),
        },
    )


# The case record ------------------------------------------------------------


def _detail_forms(actor, case, page, staff):
    members = page.members
    perms = _permissions(actor, case, page)
    f = {}
    if perms.edit:
        on_team = {m.user_id for m in members}
        f["team"] = forms.TeamAddForm(candidates=[u for u in staff if u.pk not in on_team], auto_id="id_team_%s")
        f["goal"] = forms.GoalForm(auto_id="id_goal_%s")
        f["action"] = forms.ActionForm(members=members, goals=page.goals, auto_id="id_action_%s")
        f["meeting"] = forms.MeetingForm(members=members, auto_id="id_meeting_%s")
        f["summary"] = forms.SummaryForm(instance=case, auto_id="id_summary_%s")
        f["assessment"] = forms.AssessmentForm(instance=case, auto_id="id_assessment_%s")
        f["guidance"] = forms.GuidanceForm(instance=case, auto_id="id_guidance_%s")
        f["close"] = forms.CloseForm(auto_id="id_close_%s")
        if page.status_choices:
            f["status"] = forms.StatusForm(choices=page.status_choices, auto_id="id_status_%s")
    if perms.reassign:
        counselors = [u for u, roles in staff.items() if Role.COUNSELOR in roles]
        f["reassign"] = forms.ReassignForm(
            counselors=counselors, initial={"counselor": case.lead_counselor}, auto_id="id_lead_%s"
        )
    if perms.lead and case.is_closed:
        f["reopen"] = forms.ReopenForm(auto_id="id_reopen_%s")
    if perms.entries:
        f["entry"] = _entry_form(actor, page.goals, page.actions, auto_id="id_entry_%s")
    if perms.confidential:
        f["note"] = forms.NoteForm(auto_id="id_note_%s")
    return f


def _entry_form(actor, goals, actions, data=None, **kwargs):
    if may_lead_case(actor):
        return forms.EntryForm(data, goals=goals, actions=actions, **kwargs)
    mine = [a for a in actions if is_responsible(actor, a)]
    goal_ids = {a.goal_id for a in mine}
    return forms.EntryForm(
        data,
        goals=[g for g in goals if g.pk in goal_ids],
        actions=mine,
        kinds=TEACHER_ENTRY_KINDS,
        any_target=False,
        **kwargs,
    )


@require_GET
def detail(request, pk):
    actor, case = _case_for(request, pk)
    page = selectors.case_page(case=case, actor=actor)
    audit_record(request=request, action=AuditAction.VIEW, obj=case)
    perms = _permissions(actor, case, page)
    staff = selectors.school_staff(school=actor.school) if perms.edit or perms.reassign else {}
    return render(
        request,
        "casework/detail.html",
        {
            "case": case,
            "page": page,
            "perms": perms,
            "forms": _detail_forms(actor, case, page, staff),
            "statuses": CaseStatus.choices,
            "classroom_link": absolute_url(reverse("casework:classroom", args=[case.pk])),
        },
    )


@require_GET
def print_view(request, pk):
    """A printable case summary for a case conference or a hand-over. Never
    holds confidential notes, whoever prints it."""
    actor, case = _case_for(request, pk)
    page = selectors.case_page(case=case, actor=actor)
    page.notes = None
    audit_record(request=request, action=AuditAction.VIEW, obj=case, detail={"step": "print"})
    return render(request, "casework/print.html", {"case": case, "page": page, "statuses": CaseStatus.choices})


@require_GET
def classroom(request, pk):
    """What you can do in class: the counselor's classroom guidance, read-only,
    for the student's teachers. Everyone who may see the case opens it, and so
    do this term's teachers of the student's class (Case.objects.classroom_visible_to);
    it shows the student, the class, the guidance and the lead counselor only."""
    actor = actor_for(request)
    case = resolved(request, "classroom") or get_object_or_404(selectors.classroom_case_queryset(actor), pk=pk)
    audit_record(request=request, action=AuditAction.VIEW, obj=case, detail={"step": "classroom"})
    return render(request, "casework/classroom.html", {"case": case})


# Team and lead --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def team_add(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    on_team = set(case.members.values_list("user_id", flat=True))
    candidates = [u for u in selectors.school_staff(school=actor.school) if u.pk not in on_team]
    form = forms.TeamAddForm(_data(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        if case.is_closed:
            form.add_error(None, _("This case is closed. Reopen it to change it."))
        else:
            user = form.cleaned_data["user"]
            services.case_add_member(case=case, user=user, role=form.cleaned_data["role"], by=request.user)
            return _done(request, case, _("%(name)s joined the team.") % {"name": user.get_full_name()}, "team")
    return _form_page(
        request, case, form, title=_("Add to the team"), submit=_("Add"), action=reverse("casework:team_add", args=[pk])
    )


@require_http_methods(["GET", "POST"])
def reassign(request, pk):
    actor, case = _case_for(request, pk)
    if not may_reassign(actor):
        raise PermissionDenied
    staff = selectors.school_staff(school=actor.school)
    counselors = [u for u, roles in staff.items() if Role.COUNSELOR in roles]
    form = forms.ReassignForm(_data(request), counselors=counselors, initial={"counselor": case.lead_counselor})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reassign_lead(case=case, counselor=form.cleaned_data["counselor"], by=request.user)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The lead counselor was changed."), "team")
    return _form_page(
        request,
        case,
        form,
        title=_("Change the lead counselor"),
        submit=_("Save"),
        action=reverse("casework:reassign", args=[pk]),
    )


# Shared texts ---------------------------------------------------------------

TEXT_FORMS = {
    "summary": (forms.SummaryForm, "overview"),
    "assessment": (forms.AssessmentForm, "perspectives"),
    "guidance": (forms.GuidanceForm, "classroom"),
}


def _text_titles():
    return {
        "summary": _("Shared summary"),
        "assessment": _("Counselor's assessment"),
        "guidance": _("What you can do in class"),
    }


@require_http_methods(["GET", "POST"])
def edit_text(request, pk, part):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form_class, anchor = TEXT_FORMS[part]
    form = form_class(_data(request), instance=case)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.case_update_texts(case=case, by=request.user, version=version, **data)
        except StaleEdit as e:
            conflict = _submitted(form)
            messages.error(request, str(e))
            form = form_class(instance=e.current)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("Saved."), anchor)
    return _form_page(
        request,
        case,
        form,
        title=_text_titles()[part],
        submit=_("Save"),
        action=reverse(f"casework:{part}", args=[pk]),
        conflict=conflict,
        status=409 if conflict else 200,
    )


# The plan -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_add(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.GoalForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_add(case=case, by=request.user, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The goal was added to the plan."), "plan")
    return _form_page(
        request, case, form, title=_("Add a goal"), submit=_("Add goal"), action=reverse("casework:goal_add", args=[pk])
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request, pk, goal_id):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    goal = get_object_or_404(case.goals, pk=goal_id)
    form = forms.GoalEditForm(_data(request), instance=goal)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.goal_update(goal=goal, by=request.user, version=version, **data)
        except StaleEdit as e:
            conflict = _submitted(form)
            messages.error(request, str(e))
            form = forms.GoalEditForm(instance=e.current)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The goal was saved."), "plan")
    return _form_page(
        request,
        case,
        form,
        title=_("Edit goal"),
        submit=_("Save goal"),
        action=reverse("casework:goal_edit", args=[pk, goal_id]),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.ActionForm(_data(request), members=_members(case), goals=list(case.goals.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(case=case, by=request.user, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The action was added to the plan."), "plan")
    return _form_page(
        request,
        case,
        form,
        title=_("Add an action"),
        submit=_("Add action"),
        action=reverse("casework:action_add", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, pk, action_id):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    action = get_object_or_404(case.actions.select_related("responsible", "goal"), pk=action_id)
    members, goals = _members(case), list(case.goals.all())
    form = forms.ActionEditForm(_data(request), instance=action, members=members, goals=goals)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.action_update(action=action, by=request.user, version=version, **data)
        except StaleEdit as e:
            conflict = _submitted(form)
            messages.error(request, str(e))
            form = forms.ActionEditForm(instance=e.current, members=members, goals=goals)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The action was saved."), "plan")
    return _form_page(
        request,
        case,
        form,
        title=_("Edit action"),
        submit=_("Save action"),
        action=reverse("casework:action_edit", args=[pk, action_id]),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def action_done(request, pk, action_id):
    """Mark an action done, optionally with a short evaluation entry."""
    actor, case = _case_for(request, pk)
    action = get_object_or_404(case.actions.select_related("goal"), pk=action_id)
    if not may_complete_action(actor, action):
        raise PermissionDenied
    form = forms.QuickEntryForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_done(action=action, actor=actor, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Done: %(action)s") % {"action": action.description})
            _audit_change(request, case)
            return redirect(_next_or(request, _detail_url(case, "plan")))
    return _form_page(
        request,
        case,
        form,
        title=_("Mark as done: %(action)s") % {"action": action.description},
        submit=_("Mark as done"),
        action=reverse("casework:action_done", args=[pk, action_id]),
        intro=_("Add a short note on how it went, if you like. It goes to the evaluation log."),
    )


# Meetings -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_add(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.MeetingForm(_data(request), members=_members(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_schedule(case=case, by=request.user, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The meeting was scheduled and the attendees were told."), "meetings")
    return _form_page(
        request,
        case,
        form,
        title=_("Schedule a meeting"),
        submit=_("Schedule"),
        action=reverse("casework:meeting_add", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk, meeting_id):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    meeting = get_object_or_404(case.meetings, pk=meeting_id)
    members = _members(case)
    form = forms.MeetingEditForm(_data(request), instance=meeting, members=members)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        sequence = data.pop("sequence")
        try:
            services.meeting_update(meeting=meeting, by=request.user, sequence=sequence, **data)
        except StaleEdit as e:
            conflict = _submitted(form)
            messages.error(request, str(e))
            form = forms.MeetingEditForm(instance=e.current, members=members)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The meeting was saved."), f"meeting-{meeting.pk}")
    return _form_page(
        request,
        case,
        form,
        title=_("Meeting: time, place, minutes"),
        submit=_("Save meeting"),
        action=reverse("casework:meeting_edit", args=[pk, meeting_id]),
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def decision_add(request, pk, meeting_id):
    """A meeting's decision becomes an action of the plan in one step."""
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    meeting = get_object_or_404(case.meetings, pk=meeting_id)
    form = forms.DecisionForm(_data(request), members=_members(case), goals=list(case.goals.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(case=case, by=request.user, meeting=meeting, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The decision is now an action of the plan."), f"meeting-{meeting.pk}")
    return _form_page(
        request,
        case,
        form,
        title=_("Record a decision"),
        submit=_("Add as action"),
        action=reverse("casework:decision_add", args=[pk, meeting_id]),
    )


@require_GET
def meeting_calendar(request, pk, meeting_id):
    """The meeting as an .ics file, for its attendees and the counselors and
    vice principal who can see the case."""
    actor, case = _case_for(request, pk)
    meeting = get_object_or_404(case.meetings, pk=meeting_id)
    if not may_download_meeting(actor, meeting):
        raise PermissionDenied
    audit_record(request=request, action=AuditAction.DOWNLOAD, obj=meeting)
    response = HttpResponse(meeting_ics(meeting, case_number=case.number), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting_filename(meeting, case.number)}"'
    return response


# The evaluation log -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def entry_add(request, pk):
    actor, case = _case_for(request, pk)
    goals = list(case.goals.all())
    actions = list(case.actions.select_related("goal"))
    if not may_write_entry(actor, actions):
        raise PermissionDenied
    form = _entry_form(actor, goals, actions, _data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_add(case=case, actor=actor, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("Your entry was added to the evaluation log."), "log")
    return _form_page(
        request,
        case,
        form,
        title=_("Add to the evaluation log"),
        submit=_("Add entry"),
        action=reverse("casework:entry_add", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def follow_up_done(request, pk, entry_id):
    actor, case = _case_for(request, pk)
    entry = get_object_or_404(case.entries.select_related("goal", "action"), pk=entry_id)
    if not may_finish_follow_up(actor, entry):
        raise PermissionDenied
    form = forms.FollowUpDoneForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_done(entry=entry, actor=actor, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Follow-up done."))
            _audit_change(request, case)
            return redirect(_next_or(request, _detail_url(case, "log")))
    return _form_page(
        request,
        case,
        form,
        title=_("Follow-up done"),
        submit=_("Done"),
        action=reverse("casework:follow_up_done", args=[pk, entry_id]),
        intro=_("Add a short note or a new measurement, if you like."),
    )


@require_http_methods(["GET", "POST"])
def follow_up_add(request, pk):
    """The caseload's quick "add follow-up"."""
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.FollowUpForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_schedule(
                case=case, actor=actor, date=form.cleaned_data["date"], note=form.cleaned_data["note"]
            )
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request,
                _("Follow-up for %(number)s set for %(date)s.")
                % {"number": case.number, "date": form.cleaned_data["date"].isoformat()},
            )
            _audit_change(request, case)
            return redirect(_next_or(request, reverse("casework:caseload")))
    return _form_page(
        request,
        case,
        form,
        title=_("Add a follow-up"),
        submit=_("Add follow-up"),
        action=reverse("casework:follow_up_add", args=[pk]),
        back=reverse("casework:caseload"),
    )


# Confidential notes ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def note_add(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "confidential")
    form = forms.NoteForm(_data(request))
    if request.method == "POST" and form.is_valid():
        services.note_add(case=case, by=request.user, body=form.cleaned_data["body"])
        return _done(request, case, _("The confidential note was saved."), "notes")
    return _form_page(
        request,
        case,
        form,
        title=_("Confidential note"),
        submit=_("Save note"),
        action=reverse("casework:note_add", args=[pk]),
        intro=_("Only counselors ever see confidential notes."),
    )


# Status ---------------------------------------------------------------------


@require_POST
def set_status(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    choices = [(s, CaseStatus(s).label) for s in MANUAL_TRANSITIONS[case.status]]
    form = forms.StatusForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            services.case_set_status(case=case, by=request.user, status=form.cleaned_data["status"])
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(
                request, case, _("The case is now %(status)s.") % {"status": case.get_status_display()}, "status"
            )
    return _form_page(
        request,
        case,
        form,
        title=_("Change the status"),
        submit=_("Change status"),
        action=reverse("casework:status", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def close(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, actor=actor, **form.cleaned_data)
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The case was closed. The team has been told."), "status")
    return _form_page(
        request,
        case,
        form,
        title=_("Close the case"),
        submit=_("Close the case"),
        action=reverse("casework:close", args=[pk]),
        intro=_("Closing needs the outcome and a final evaluation. Both are shared with the team."),
    )


@require_http_methods(["GET", "POST"])
def reopen(request, pk):
    actor, case = _case_for(request, pk)
    actor.require("case", "lead")
    form = forms.ReopenForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except CaseworkError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, case, _("The case was reopened. The team has been told."), "status")
    return _form_page(
        request,
        case,
        form,
        title=_("Reopen the case"),
        submit=_("Reopen"),
        action=reverse("casework:reopen", args=[pk]),
    )
