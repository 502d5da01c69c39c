"""Casework pages: the caseload, my tasks, the case record and its forms.

accounts.policy.PolicyMiddleware has checked the URL's entry (scope 404, role
or relation 403) before a view runs; views take the records it found. The form pages are casework.pages.FormPage: writes go through
casework.services, a broken rule comes back as a form error next to the field
or at the top of the form, never as a 500, and a stale edit as a 409.
"""

from functools import partial
from types import SimpleNamespace

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.once import TOKEN_FIELD, new_token, submit_once
from accounts.policy import actor_for, may_lead_case, may_reassign, may_see_confidential, resolved
from audit.models import AuditAction
from audit.services import audit_record
from casework import forms, scheduling, selectors, services
from casework.filters import CaseloadFilter
from casework.ics import meeting_filename, meeting_ics
from casework.models import Case, CaseStatus, EvaluationRating, MeetingKind
from casework.pages import FormPage
from common.form_cache import cached_form_html
from common.links import absolute_url
from common.rules import RuleError
from referrals import views as referral_views
from referrals.forms import AcceptForm
from referrals.models import Referral

CASELOAD_PAGE_SIZE = 50


def _case_for(request, pk):
    """The case if the actor may see it (404 otherwise), with its header rows."""
    actor = actor_for(request)
    case = resolved(request, "case") or get_object_or_404(selectors.case_queryset(actor), pk=pk)
    return actor, case


def _data(request):
    """The POST data of a submitted form (even an empty one), or None for a GET."""
    return request.POST if request.method == "POST" else None


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


def caseload(request):
    """The counselor's caseload: cases with follow-ups, actions due and urgent flags."""
    actor = actor_for(request)
    filterset = CaseloadFilter(request.GET, queryset=selectors.caseload(actor=actor), actor=actor)
    cases = filterset.qs
    totals = selectors.caseload_totals(cases)
    page = Paginator(cases, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's "add follow-up" is a link; its form is drawn only when opened (on-demand-forms.js).
    page.object_list = selectors.mark_decisions_needed(page.object_list)
    context = {"filter": filterset, "page_obj": page, "totals": totals, "today": timezone.localdate()}
    # The filter's fields: cached per school data version and query (common.form_cache).
    context["filter_fields"] = cached_form_html(
        school_id=actor.school.pk,
        kind="caseload-filter",
        data=request.GET,
        ignore=("page",),
        cacheable=not filterset.form.errors,
        render=lambda: render_to_string("casework/partials/caseload_filter_fields.html", {"filter": filterset}),
    )
    context["triage_waiting"] = selectors.triage_waiting(actor=actor)
    return render(request, "casework/caseload.html", context)


def tasks(request):
    """My open actions and follow-ups across cases, each with a one-step done."""
    actor = actor_for(request)
    # The first of each list, most urgent first; ?all=1 (a plain link) shows all.
    shown = None if request.GET.get("all") == "1" else selectors.TASKS_SHOWN
    mine = selectors.tasks_for(actor=actor, shown=shown)
    # Each row's "done" form is drawn by templates/casework/partials/quick_entry_fields.html
    # (plain inputs, so that hundreds of rows render fast); the POST is validated by
    # forms.QuickEntryForm / forms.FollowUpDoneForm.
    context = {"tasks": mine, "ratings": EvaluationRating.choices}
    context["classroom_cases"] = selectors.classroom_guidance_for(actor=actor)
    return render(request, "casework/tasks.html", context)


# The case record ------------------------------------------------------------


def detail(request, pk):
    actor, case = _case_for(request, pk)
    # A long history is folded; ?log=all and ?timeline=all (plain links) show all of it.
    page = selectors.case_page(
        case=case,
        actor=actor,
        entries_shown=None if request.GET.get("log") == "all" else selectors.ENTRIES_SHOWN,
        timeline_shown=None if request.GET.get("timeline") == "all" else selectors.TIMELINE_SHOWN,
    )
    audit_record(request=request, action=AuditAction.VIEW, obj=case)
    perms = _permissions(actor, case, page)
    staff = selectors.school_staff(school=actor.school) if perms.edit or perms.reassign else {}
    context = {"case": case, "page": page, "perms": perms, "statuses": CaseStatus.choices}
    context["forms"] = forms.case_page_forms(case, page, perms, staff, actor)
    context["classroom_link"] = absolute_url(reverse("casework:classroom", args=[case.pk]))
    return render(request, "casework/detail.html", context)


def print_view(request, pk):
    """A printable case summary for a case conference or a hand-over. Never
    holds confidential notes, whoever prints it."""
    actor, case = _case_for(request, pk)
    page = selectors.case_page(case=case, actor=actor)
    page.notes = None
    audit_record(request=request, action=AuditAction.VIEW, obj=case, detail={"step": "print"})
    return render(request, "casework/print.html", {"case": case, "page": page, "statuses": CaseStatus.choices})


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

TEAM_ADD = FormPage(
    _("Add to the team"),
    _("Add"),
    lambda d: _("%(name)s joined the team.") % {"name": d["user"].get_full_name()},
    "team",
)
REASSIGN = FormPage(_("Change the lead counselor"), _("Save"), _("The lead counselor was changed."), "team")


def team_add(request, pk):
    actor, case = _case_for(request, pk)
    on_team = set(case.members.values_list("user_id", flat=True))
    candidates = [u for u in selectors.school_staff(school=actor.school) if u.pk not in on_team]
    form = forms.TeamAddForm(_data(request), candidates=candidates)
    return TEAM_ADD(request, case, form, partial(services.case_add_member, case=case, actor=actor))


def reassign(request, pk):
    actor, case = _case_for(request, pk)
    counselors = [u for u, roles in selectors.school_staff(school=actor.school).items() if Role.COUNSELOR in roles]
    form = forms.ReassignForm(_data(request), counselors=counselors, initial={"counselor": case.lead_counselor})
    return REASSIGN(request, case, form, partial(services.case_reassign_lead, case=case, actor=actor))


# Shared texts ---------------------------------------------------------------

TEXT_PAGES = {
    "summary": (forms.SummaryForm, FormPage(_("Shared summary"), _("Save"), _("Saved."), "overview")),
    "assessment": (forms.AssessmentForm, FormPage(_("Counselor's assessment"), _("Save"), _("Saved."), "perspectives")),
    "guidance": (forms.GuidanceForm, FormPage(_("What you can do in class"), _("Save"), _("Saved."), "classroom")),
}


def edit_text(request, pk, part):
    actor, case = _case_for(request, pk)
    form_class, page = TEXT_PAGES[part]
    save = partial(services.case_update_texts, case=case, actor=actor)
    return page(request, case, form_class(_data(request), instance=case), save, fresh=lambda c: form_class(instance=c))


# The plan -------------------------------------------------------------------

GOAL_ADD = FormPage(_("Add a goal"), _("Add goal"), _("The goal was added to the plan."), "plan")
GOAL_EDIT = FormPage(_("Edit goal"), _("Save goal"), _("The goal was saved."), "plan")
ACTION_ADD = FormPage(_("Add an action"), _("Add action"), _("The action was added to the plan."), "plan")
ACTION_EDIT = FormPage(_("Edit action"), _("Save action"), _("The action was saved."), "plan")
ACTION_DONE_INTRO = _("Add a short note on how it went, if you like. It goes to the evaluation log.")
ACTION_DONE = FormPage("", _("Mark as done"), "", "plan", ACTION_DONE_INTRO, follow_next=True)


def goal_add(request, pk):
    actor, case = _case_for(request, pk)
    return GOAL_ADD(
        request,
        case,
        forms.GoalForm(_data(request), school=case.school_id),
        partial(services.goal_add, case=case, actor=actor),
    )


def goal_edit(request, pk, goal_id):
    actor, case = _case_for(request, pk)
    goal = get_object_or_404(case.goals, pk=goal_id)
    form, save = (
        forms.GoalEditForm(_data(request), instance=goal),
        partial(services.goal_update, goal=goal, actor=actor),
    )
    return GOAL_EDIT(request, case, form, save, fresh=lambda current: forms.GoalEditForm(instance=current))


GOAL_DECIDE_INTRO = _(
    "Read the chart and the suggestion, then decide. Intensify, change and fade draw a phase line on the chart: "
    "the suggestions then read only the measurements after it."
)
GOAL_DECIDE = FormPage(_("Record a decision"), _("Record decision"), _("The decision was recorded."), "progress")


def goal_decide(request, pk, goal_id):
    actor, case = _case_for(request, pk)
    goal = get_object_or_404(case.goals, pk=goal_id)
    page = GOAL_DECIDE.but(title=_("Record a decision: %(goal)s") % {"goal": goal.statement}, intro=GOAL_DECIDE_INTRO)
    form = forms.GoalDecisionForm(_data(request))
    return page(request, case, form, partial(services.goal_decide, goal=goal, actor=actor))


def action_add(request, pk):
    actor, case = _case_for(request, pk)
    form = forms.ActionForm(_data(request), members=_members(case), goals=list(case.goals.all()))
    return ACTION_ADD(request, case, form, partial(services.action_add, case=case, actor=actor))


def action_edit(request, pk, action_id):
    actor, case = _case_for(request, pk)
    action = get_object_or_404(case.actions.select_related("responsible", "goal"), pk=action_id)
    members, goals = _members(case), list(case.goals.all())
    form = forms.ActionEditForm(_data(request), instance=action, members=members, goals=goals)
    fresh = lambda current: forms.ActionEditForm(instance=current, members=members, goals=goals)  # noqa: E731
    return ACTION_EDIT(request, case, form, partial(services.action_update, action=action, actor=actor), fresh=fresh)


def action_done(request, pk, action_id):
    """Mark an action done, optionally with a short evaluation entry."""
    actor, case = _case_for(request, pk)
    action = resolved(request, "action") or get_object_or_404(case.actions.select_related("goal"), pk=action_id)
    save = partial(services.action_done, action=action, actor=actor)
    names = {"action": action.description}
    page = ACTION_DONE.but(title=_("Mark as done: %(action)s") % names, success=_("Done: %(action)s") % names)
    return page(request, case, forms.QuickEntryForm(_data(request)), save)


SESSION = FormPage(_("Record a session"), _("Save"), "", "plan", follow_next=True)


def action_session(request, pk, action_id):
    """Tick a session of an action as held or not held (one tap from /tasks/)."""
    actor, case = _case_for(request, pk)
    action = resolved(request, "action") or get_object_or_404(case.actions.select_related("goal"), pk=action_id)
    names = {"action": action.description}

    def success(data):
        if data["held"]:
            return _("Session held: %(action)s") % names
        return _("Session not held: %(action)s") % names

    page = SESSION.but(title=_("Record a session: %(action)s") % names, success=success)
    return page(
        request, case, forms.SessionForm(_data(request)), partial(services.session_record, action=action, actor=actor)
    )


# Meetings -------------------------------------------------------------------

MEETING_ADD = FormPage(
    _("Schedule a meeting"), _("Schedule"), _("The meeting was scheduled and the attendees were told."), "meetings"
)
MEETING_EDIT = FormPage(_("Meeting: time, place, minutes"), _("Save meeting"), _("The meeting was saved."))
DECISION_ADD = FormPage(_("Record a decision"), _("Add as action"), _("The decision is now an action of the plan."))


def meeting_add(request, pk):
    actor, case = _case_for(request, pk)
    staff = selectors.school_staff(school=case.school)
    form = forms.MeetingForm(_data(request), members=_members(case), staff=staff)
    return MEETING_ADD(request, case, form, partial(services.meeting_schedule, case=case, actor=actor))


def meeting_find(request, pk):
    """Proposed times for a case conference: the next free periods of the
    chosen attendees in the coming two school weeks, best first; each is
    booked in one click (a MeetingForm posted to meeting_add)."""
    _actor, case = _case_for(request, pk)
    members = _members(case)
    staff = selectors.school_staff(school=case.school)
    form = forms.SlotFinderForm(request.GET if "attendees" in request.GET else None, members=members, staff=staff)
    booking = None
    if form.is_bound and form.is_valid():
        booking = form.cleaned_data
    elif not form.is_bound:
        booking = {
            "attendees": [m.user for m in members],
            "duration_minutes": form.fields["duration_minutes"].initial,
            "place": str(form.fields["place"].initial),
        }
    slots = []
    if booking:
        slots = scheduling.propose_slots(
            school=case.school, attendees=booking["attendees"], duration_minutes=booking["duration_minutes"]
        )
    context = {
        "case": case,
        "form": form,
        "slots": slots,
        "booking": booking,
        "kind": MeetingKind.CASE_CONFERENCE,
        "token_field": TOKEN_FIELD,
        "new_token": new_token,
    }
    return render(request, "casework/meeting_find.html", context)


def talk_case(request, pk):
    """When can I talk to the counselor about this case's student? The next
    shared free periods of the teacher and the lead counselor, booked as a
    short talk (a meeting of the case)."""
    _actor, case = _case_for(request, pk)
    counselor = case.lead_counselor
    return _talk_page(request, case=case, referral=None, counselor=counselor, back=case.get_absolute_url())


def talk_referral(request, pk):
    """The same from the referral's page: booked on its case once it has one,
    else proposed to the counselor covering the student's class."""
    actor = actor_for(request)
    referral = resolved(request, "referral") or get_object_or_404(
        Referral.objects.visible_to(actor).select_related("student__classroom__counselor", "case__lead_counselor"),
        pk=pk,
    )
    case = referral.case if referral.case_id and not referral.case.is_closed else None
    counselor = scheduling.counselor_for(student=referral.student, case=case)
    return _talk_page(request, case=case, referral=referral, counselor=counselor, back=referral.get_absolute_url())


def _talk_page(request, *, case, referral, counselor, back):
    actor = actor_for(request)
    form = forms.TalkForm(_data(request))
    if request.method == "POST" and form.is_valid():
        starts_at = form.cleaned_data["starts_at"]

        def book():
            if case is not None:
                return services.talk_schedule(
                    case=case,
                    actor=actor,
                    counselor=counselor,
                    starts_at=starts_at,
                    duration_minutes=scheduling.TALK_MINUTES,
                )
            services.talk_request(referral=referral, actor=actor, counselor=counselor, starts_at=starts_at)
            return referral

        def done(booked):
            if case is not None:
                url = reverse("casework:meeting", args=[case.pk, booked.pk])
                return url, _("The talk is booked and the counselor was told.")
            return back, _("The counselor was told the time you proposed.")

        try:
            landing = submit_once(request, token=form.cleaned_data.get(TOKEN_FIELD, ""), create=book, done=done)
        except RuleError as e:
            messages.error(request, str(e))
        else:
            if not landing.repeated:
                audit_record(request=request, action=AuditAction.CHANGE, obj=case or referral, detail={"step": "talk"})
            messages.success(request, landing.message)
            return redirect(landing.url)
    slots = []
    if counselor is not None and counselor != request.user:
        slots = scheduling.propose_slots(
            school=actor.school, attendees=[request.user, counselor], duration_minutes=scheduling.TALK_MINUTES
        )
    context = {
        "case": case,
        "referral": referral,
        "counselor": counselor,
        "slots": slots,
        "back": back,
        "minutes": scheduling.TALK_MINUTES,
        "token_field": TOKEN_FIELD,
        "new_token": new_token,
    }
    return render(request, "casework/talk.html", context)


def meeting_edit(request, pk, meeting_id):
    actor, case = _case_for(request, pk)
    meeting = get_object_or_404(case.meetings, pk=meeting_id)
    members, staff = _members(case), selectors.school_staff(school=case.school)
    form = forms.MeetingEditForm(_data(request), instance=meeting, members=members, staff=staff)
    save = partial(services.meeting_update, meeting=meeting, actor=actor)
    fresh = lambda current: forms.MeetingEditForm(instance=current, members=members, staff=staff)  # noqa: E731
    return MEETING_EDIT.but(anchor=f"meeting-{meeting.pk}")(request, case, form, save, fresh=fresh)


def decision_add(request, pk, meeting_id):
    """A meeting's decision becomes an action of the plan in one step."""
    actor, case = _case_for(request, pk)
    meeting = get_object_or_404(case.meetings, pk=meeting_id)
    form = forms.DecisionForm(_data(request), members=_members(case), goals=list(case.goals.all()))
    save = partial(services.action_add, case=case, actor=actor, meeting=meeting)
    return DECISION_ADD.but(anchor=f"meeting-{meeting.pk}")(request, case, form, save)


def _meeting_for(request, pk, meeting_id):
    """The meeting if the actor may open it (of a visible case, or attended), 404 otherwise."""
    found = resolved(request, "meeting")
    return found or get_object_or_404(selectors.meeting_queryset(actor_for(request)), case_id=pk, pk=meeting_id)


def meeting(request, pk, meeting_id):
    """One meeting, read-only: what an attendee who is not on the case team
    may see (time, place, attendees, agenda, minutes, decisions), nothing else
    of the case."""
    m = _meeting_for(request, pk, meeting_id)
    m.decision_actions = list(m.decisions.select_related("responsible"))
    audit_record(request=request, action=AuditAction.VIEW, obj=m)
    return render(request, "casework/meeting.html", {"m": m, "case": m.case})


def meeting_calendar(request, pk, meeting_id):
    """The meeting as an .ics file, for its attendees and the counselors and
    vice principal who can see the case."""
    meeting = _meeting_for(request, pk, meeting_id)
    case = meeting.case
    audit_record(request=request, action=AuditAction.DOWNLOAD, obj=meeting)
    response = HttpResponse(meeting_ics(meeting, case_number=case.number), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting_filename(meeting, case.number)}"'
    return response


# The evaluation log -----------------------------------------------------------

ENTRY_ADD = FormPage(
    _("Add to the evaluation log"), _("Add entry"), _("Your entry was added to the evaluation log."), "log"
)
FOLLOW_UP_DONE_INTRO = _("Add a short note or a new measurement, if you like.")
FOLLOW_UP_DONE = FormPage(_("Follow-up done"), _("Done"), _("Follow-up done."), "log", FOLLOW_UP_DONE_INTRO, True)
CASELOAD_URL = reverse_lazy("casework:caseload")
FOLLOW_UP_ADD = FormPage(
    _("Add a follow-up"), _("Add follow-up"), "", follow_next=True, done_url=CASELOAD_URL, back=CASELOAD_URL
)


def entry_add(request, pk):
    actor, case = _case_for(request, pk)
    goals = list(case.goals.all())
    actions = list(case.actions.select_related("goal"))
    form = forms.EntryForm.for_author(
        _data(request), goals=goals, actions=actions, actor=actor, opened_on=timezone.localdate(case.opened_at)
    )
    return ENTRY_ADD(request, case, form, partial(services.entry_add, case=case, actor=actor))


def follow_up_done(request, pk, entry_id):
    actor, case = _case_for(request, pk)
    entry = resolved(request, "entry") or get_object_or_404(case.entries.select_related("goal", "action"), pk=entry_id)
    form = forms.FollowUpDoneForm(_data(request))
    return FOLLOW_UP_DONE(request, case, form, partial(services.follow_up_done, entry=entry, actor=actor))


def follow_up_add(request, pk):
    """The caseload's quick "add follow-up"."""
    actor, case = _case_for(request, pk)
    page = FOLLOW_UP_ADD.but(
        success=lambda d: (
            _("Follow-up for %(number)s set for %(date)s.") % {"number": case.number, "date": d["date"].isoformat()}
        )
    )
    return page(
        request, case, forms.FollowUpForm(_data(request)), partial(services.follow_up_schedule, case=case, actor=actor)
    )


# Confidential notes and status ------------------------------------------------

NOTE_ADD_INTRO = _("Only counselors ever see confidential notes.")
NOTE_ADD = FormPage(
    _("Confidential note"), _("Save note"), _("The confidential note was saved."), "notes", NOTE_ADD_INTRO
)
SET_STATUS = FormPage(_("Change the status"), _("Change status"), "", "status")
CLOSE_INTRO = _("Closing needs the outcome and a final evaluation. Both are shared with the team.")
CLOSE = FormPage(
    _("Close the case"), _("Close the case"), _("The case was closed. The team has been told."), "status", CLOSE_INTRO
)
REOPEN = FormPage(_("Reopen the case"), _("Reopen"), _("The case was reopened. The team has been told."), "status")


def note_add(request, pk):
    actor, case = _case_for(request, pk)
    return NOTE_ADD(request, case, forms.NoteForm(_data(request)), partial(services.note_add, case=case, actor=actor))


def set_status(request, pk):
    actor, case = _case_for(request, pk)
    form = forms.StatusForm(request.POST, choices=case.status_choices())
    page = SET_STATUS.but(success=lambda d: _("The case is now %(status)s.") % {"status": case.get_status_display()})
    return page(request, case, form, partial(services.case_set_status, case=case, actor=actor))


def close(request, pk):
    actor, case = _case_for(request, pk)
    open_actions = case.actions.filter(status__in=services.OPEN_ACTION_STATUSES).select_related("responsible")
    form = forms.CloseForm(_data(request), open_actions=open_actions)
    return CLOSE(request, case, form, partial(services.case_close, case=case, actor=actor))


def reopen(request, pk):
    actor, case = _case_for(request, pk)
    return REOPEN(
        request, case, forms.ReopenForm(_data(request)), partial(services.case_reopen, case=case, actor=actor)
    )


# Accepting a referral into a case (the form is on the referral's page).


def accept_referral(request, pk):
    actor, referral = referral_views._referral_or_404(request, pk)
    if not referral_views._state_allows(request, referral, "accept"):
        return redirect(referral)
    joins_case = services.open_case_for(referral.student) is not None
    form = AcceptForm(request.POST, school=referral.school, joins_case=joins_case)
    if not form.is_valid():
        return referral_views._rerender(request, actor, referral, accept_form=form)
    try:
        referral = services.referral_accept(
            referral=referral,
            actor=actor,
            lead_counselor=form.cleaned_data.get("lead_counselor"),
            message=form.cleaned_data["message"],
        )
    except RuleError as error:
        messages.error(request, str(error))
        return redirect(referral)
    audit_record(request=request, action=AuditAction.CHANGE, obj=referral, detail={"step": "accept"})
    messages.success(request, _("The referral was accepted. The teacher has been told."))
    # The counselor goes on with the case the referral opened or joined.
    if referral.case_id and Case.objects.visible_to(actor).filter(pk=referral.case_id).exists():
        return redirect(referral.case)
    return redirect(referral)
