"""Coordination forum pages. PolicyMiddleware has checked each URL's entry
(the role, and the sitting in the actor's scope) before a view runs."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.once import TOKEN_FIELD, new_token, submit_once
from accounts.policy import actor_for, may_run_forum, may_set_forum, may_view_reports, resolved
from audit.models import AuditAction
from audit.services import audit_record
from casework import scheduling
from casework.models import Case, CaseMember
from casework.selectors import school_staff
from common.rules import RuleError
from forums import forms, selectors, services
from forums.ics import sitting_filename, sitting_ics
from forums.models import Forum, Sitting


def forum_list(request):
    """The forum: its next and past sittings, and for the vice principal the report."""
    actor = actor_for(request)
    forum = Forum.objects.filter(school=actor.school).first()
    context = {
        "forum": forum,
        "participants": list(forum.participants.order_by("full_name")) if forum else [],
        "sittings": selectors.sittings_for(actor=actor),
        "report": selectors.report(school=actor.school) if may_view_reports(actor) else None,
        "may_run": may_run_forum(actor),
        "may_set": may_set_forum(actor),
    }
    return render(request, "forums/list.html", context)


def forum_settings(request):
    """How often, how long, where and who: set by the vice principal."""
    actor = actor_for(request)
    school = actor.school
    forum = Forum.objects.filter(school=school).first()
    staff = school_staff(school=school)
    form = forms.ForumSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=forum or Forum(school=school, place=_("Teachers' room")),
        staff=staff,
    )
    if forum is None and request.method != "POST":
        form.initial["participants"] = list(services.default_participants(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.forum_settings(
                school=school,
                actor=actor,
                frequency=data["frequency"],
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                participants=data["participants"],
            )
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("The forum's settings were saved."))
            return redirect("forums:list")
    return render(request, "forums/settings.html", {"form": form})


def schedule(request):
    """The next sitting: the finder's proposals for every participant, one click books it."""
    actor = actor_for(request)
    forum = Forum.objects.filter(school=actor.school).first()
    if forum is None:
        messages.error(request, _("The vice principal has not set up the forum yet."))
        return redirect("forums:list")
    # Moving a sitting (?move=<id>): the same proposals, the same sitting.
    moving = None
    move_id = _int(request.POST.get("move") if request.method == "POST" else request.GET.get("move"))
    if move_id is not None:
        moving = Sitting.objects.visible_to(actor).filter(pk=move_id).first()
        if moving is None:
            raise Http404
    form = forms.SlotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        starts_at = form.cleaned_data["starts_at"]
        if moving is not None:
            create = lambda: services.sitting_move(sitting=moving, actor=actor, starts_at=starts_at)  # noqa: E731
            message = _("The forum was moved and the participants were told.")
        else:
            create = lambda: services.sitting_schedule(forum=forum, actor=actor, starts_at=starts_at)  # noqa: E731
            message = _("The forum was scheduled, its agenda built and the participants invited.")
        try:
            landing = submit_once(
                request,
                token=form.cleaned_data.get(TOKEN_FIELD, ""),
                create=create,
                done=lambda sitting: (sitting.get_absolute_url(), message),
            )
        except RuleError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, landing.message)
            return redirect(landing.url)
    elif request.method == "POST":
        messages.error(request, _("Choose one of the proposed times."))
    participants = list(forum.participants.all())
    slots = scheduling.propose_slots(
        school=actor.school, attendees=participants, duration_minutes=forum.duration_minutes
    )
    context = {
        "forum": forum,
        "moving": moving,
        "participants": participants,
        "slots": slots,
        "next_due": services.next_due(forum),
        "token_field": TOKEN_FIELD,
        "new_token": new_token,
    }
    return render(request, "forums/schedule.html", context)


def _people_for(items, attendees):
    """For each item about a case, who may be made responsible: its team and
    the forum's participants (one query)."""
    case_ids = {item.case_id for item in items if item.case_id}
    teams = {}
    for member in CaseMember.objects.filter(case_id__in=case_ids).select_related("user"):
        teams.setdefault(member.case_id, []).append(member.user)
    people = {}
    for case_id in case_ids:
        found = {u.pk: u for u in [*teams.get(case_id, []), *attendees]}
        people[case_id] = sorted(found.values(), key=lambda u: u.get_full_name())
    return people


def _detail(request, sitting, *, bound=None, status=200):
    """A sitting's page: agenda (as this person may see it), minutes and
    decisions per item, attendance, recap. ``bound`` is a form that was
    refused, shown with its errors in its place."""
    actor = actor_for(request)
    page = selectors.sitting_page(sitting=sitting, actor=actor)
    run = may_run_forum(actor) and not sitting.is_held and not sitting.is_cancelled
    bound = bound or {}
    if run:
        people = _people_for(page["items"], page["attendees"])
        for item in page["items"]:
            item.minutes_form = bound.get(("minutes", item.pk)) or forms.MinutesForm(
                initial={"item": item.pk, "minutes": item.minutes}, prefix=f"m{item.pk}"
            )
            if item.case_id and not item.case.is_closed:
                item.decision_form = bound.get(("decision", item.pk)) or forms.DecisionForm(
                    initial={"item": item.pk}, people=people[item.case_id], prefix=f"d{item.pk}"
                )
    item_form = None
    if not sitting.is_held and not sitting.is_cancelled:
        cases = Case.objects.visible_to(actor).not_closed().select_related("student").order_by("-opened_at")[:100]
        item_form = bound.get("item") or forms.ItemForm(cases=cases)
    context = {
        "sitting": sitting,
        "page": page,
        "run": run,
        "item_form": item_form,
        "attendance_form": (
            bound.get("attendance")
            or forms.AttendanceForm(initial={"present": list(page["present_ids"])}, attendees=page["attendees"])
        )
        if run
        else None,
        "decisions": [(item, d) for item in page["items"] for d in item.decisions.all()],
    }
    return render(request, "forums/detail.html", context, status=status)


def detail(request, pk):
    return _detail(request, resolved(request, "forum"))


def _done(request, sitting, message, anchor=""):
    messages.success(request, message)
    return redirect(sitting.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def item_add(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    cases = Case.objects.visible_to(actor).not_closed().select_related("student").order_by("-opened_at")[:100]
    form = forms.ItemForm(request.POST, cases=cases)
    if form.is_valid():
        try:
            services.item_add(
                sitting=sitting, actor=actor, title=form.cleaned_data["title"], case=form.cleaned_data["case"]
            )
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            return _done(request, sitting, _("Your item is on the agenda."), "agenda")
    return _detail(request, sitting, bound={"item": form}, status=400)


def _item(sitting, actor, item_id):
    return next((i for i in selectors.visible_items(sitting=sitting, actor=actor) if i.pk == item_id), None)


def minutes(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    item_id = _int(request.POST.get("item"))
    form = forms.MinutesForm(request.POST, prefix=f"m{item_id}")
    item = _item(sitting, actor, item_id)
    if item is None:
        messages.error(request, _("That agenda item is not on this forum's agenda."))
        return redirect(sitting.get_absolute_url())
    if form.is_valid():
        services.minutes_save(item=item, actor=actor, minutes=form.cleaned_data["minutes"])
        return _done(request, sitting, _("The minutes were saved."), f"item-{item.pk}")
    return _detail(request, sitting, bound={("minutes", item.pk): form}, status=400)


def decision(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    item_id = _int(request.POST.get("item"))
    item = _item(sitting, actor, item_id)
    if item is None or item.case_id is None:
        messages.error(request, _("That agenda item is not on this forum's agenda."))
        return redirect(sitting.get_absolute_url())
    people = _people_for([item], list(sitting.attendees.all()))[item.case_id]
    form = forms.DecisionForm(request.POST, people=people, prefix=f"d{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                item=item,
                actor=actor,
                description=data["description"],
                responsible=data["responsible"],
                due_on=data["due_on"],
            )
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            audit_record(request=request, action=AuditAction.CHANGE, obj=item.case, detail={"step": "forum_decision"})
            return _done(request, sitting, _("The decision is now an action of the case."), f"item-{item.pk}")
    return _detail(request, sitting, bound={("decision", item.pk): form}, status=400)


def attendance(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    form = forms.AttendanceForm(request.POST, attendees=list(sitting.attendees.all()))
    if form.is_valid():
        try:
            services.attendance_save(sitting=sitting, actor=actor, present=form.cleaned_data["present"])
        except RuleError as e:
            form.add_error(None, str(e))
        else:
            return _done(request, sitting, _("Attendance was saved."), "attendance")
    return _detail(request, sitting, bound={"attendance": form}, status=400)


def refresh(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    try:
        added = services.agenda_build(sitting=sitting, actor=actor)
    except RuleError as e:
        messages.error(request, str(e))
        return redirect(sitting.get_absolute_url())
    return _done(
        request, sitting, _("The agenda was brought up to date: %(count)d new items.") % {"count": added}, "agenda"
    )


def recap(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    try:
        services.recap_send(sitting=sitting, actor=actor)
    except RuleError as e:
        messages.error(request, str(e))
        return redirect(sitting.get_absolute_url())
    return _done(request, sitting, _("The recap was sent to every participant."), "recap")


def cancel(request, pk):
    actor = actor_for(request)
    sitting = resolved(request, "forum")
    try:
        services.sitting_cancel(sitting=sitting, actor=actor)
    except RuleError as e:
        messages.error(request, str(e))
        return redirect(sitting.get_absolute_url())
    return _done(request, sitting, _("The forum was cancelled and the participants were told."))


def calendar(request, pk):
    sitting = resolved(request, "forum")
    content = sitting_ics(sitting, cancelled=sitting.is_cancelled)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sitting_filename(sitting)}"'
    return response


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
