"""The intervention library (/interventions/) and planning a case from it
(/cases/<id>/interventions/). PolicyMiddleware has checked each URL's entry."""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import (
    actor_for,
    may_manage_groups,
    may_manage_library,
    may_record_group_session,
    resolved,
)
from casework.pages import FormPage
from casework.selectors import case_queryset, school_staff
from common.rules import RuleError
from interventions import forms, selectors, services
from interventions.models import Strategy
from referrals.models import ConcernCategory


def _school_strategy(actor, raw):
    if not str(raw or "").isdigit():
        raise Http404
    return get_object_or_404(Strategy.objects.for_school(actor.school), pk=int(raw))


def library(request):
    """The school's strategies by area, with their usage figures; a filter by concern."""
    actor = actor_for(request)
    if not Strategy.objects.for_school(actor.school).exists():
        services.library_install(school=actor.school)
    categories = list(ConcernCategory.objects.for_school(actor.school).filter(is_active=True))
    chosen = next((c for c in categories if c.code == request.GET.get("concern")), None)
    manage = may_manage_library(actor)
    groups = selectors.library(school=actor.school, category=chosen, include_retired=manage)
    context = {
        "groups": groups,
        "categories": categories,
        "chosen": chosen,
        "manage": manage,
        "min_cases": selectors.MIN_CASES_FOR_FIGURES,
    }
    return render(request, "interventions/library.html", context)


def add(request):
    actor = actor_for(request)
    categories = list(ConcernCategory.objects.for_school(actor.school).filter(is_active=True))
    form = forms.StrategyForm(request.POST if request.method == "POST" else None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            services.strategy_add(actor=actor, **data)
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("The strategy was added to the library."))
            return redirect("interventions:library")
    return render(request, "interventions/strategy_form.html", {"form": form})


def retire(request):
    """Retire a strategy, or bring it back (POST: strategy, active)."""
    actor = actor_for(request)
    if not str(request.POST.get("strategy", "")).isdigit():
        messages.error(request, _("Choose a strategy of the library."))
        return redirect("interventions:library")
    strategy = _school_strategy(actor, request.POST.get("strategy"))
    active = request.POST.get("active") == "1"
    services.strategy_set_active(actor=actor, strategy=strategy, active=active)
    if active:
        messages.success(request, _("%(name)s is back in the library.") % {"name": strategy.title})
    else:
        messages.success(request, _("%(name)s was retired: it is no longer proposed.") % {"name": strategy.title})
    return redirect(reverse("interventions:library") + f"#strategy-{strategy.pk}")


PLAN = FormPage(
    gettext_lazy("Plan from the library"),
    gettext_lazy("Add to the plan"),
    gettext_lazy("The strategy is now a goal and an action of the plan."),
    "plan",
)


def plan(request, pk):
    """The strategies for the case's concerns; picking one fills a goal and
    an action (who, how often, how long, what to measure), all editable."""
    actor = actor_for(request)
    case = resolved(request, "case") or get_object_or_404(case_queryset(actor), pk=pk)
    raw = request.POST.get("strategy") if request.method == "POST" else request.GET.get("strategy")
    if not raw:
        if not Strategy.objects.for_school(case.school).exists():
            services.library_install(school=case.school)
        found = selectors.suggestions_for_case(case=case)
        return render(request, "interventions/plan.html", {"case": case, "found": found})
    strategy = _school_strategy(actor, raw)
    if not strategy.is_active:
        raise Http404
    members = list(case.members.select_related("user"))
    initial = forms.initial_for(strategy, case=case, members=members, today=timezone.localdate())
    data = request.POST if request.method == "POST" else None
    form = forms.PlanFromStrategyForm(
        data, strategy=strategy, members=members, goals=list(case.goals.all()), initial=initial
    )
    intro = f"{strategy.what_text} {_('Why it works')}: {strategy.why_text}"
    page = PLAN.but(title=_("Plan from the library: %(name)s") % {"name": strategy.title}, intro=intro)
    return page(request, case, form, partial(services.plan_from_strategy, case=case, actor=actor))


# Group interventions ------------------------------------------------------------


def _group_forms(actor, group, today, page, **bound):
    forms_ = {}
    if may_record_group_session(actor, group):
        forms_["register"] = bound.get("register") or forms.RegisterForm(
            members=page.register, measure=bool(group.measure), initial={"date": today}
        )
    if may_manage_groups(actor):
        forms_["member"] = bound.get("member") or forms.MemberAddForm(
            candidates=selectors.group_candidates(group=group, actor=actor), initial={"joined_on": today}
        )
    return forms_


def _render_group(request, group, status=200, **bound):
    actor = actor_for(request)
    today = timezone.localdate()
    page = bound.pop("page", None) or selectors.group_page(group=group, actor=actor, today=today)
    context = {"group": group, "page": page, "forms": _group_forms(actor, group, today, page, **bound)}
    context["manage"] = may_manage_groups(actor)
    return render(request, "interventions/group.html", context, status=status)


def _group_form(actor, data=None):
    staff = [u for u, roles in school_staff(school=actor.school).items() if roles & set(services.GROUP_LEADER_ROLES)]
    strategies = list(Strategy.objects.for_school(actor.school).active())
    return forms.GroupForm(data, leaders=staff, strategies=strategies)


def groups(request, form=None):
    """The group interventions the actor may open; counselors start one here."""
    actor = actor_for(request)
    if form is None and may_manage_groups(actor):
        form = _group_form(actor)
    context = {"groups": selectors.groups_for(actor=actor), "form": form}
    return render(request, "interventions/groups.html", context)


def group_add(request):
    actor = actor_for(request)
    form = _group_form(actor, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            group = services.group_create(actor=actor, **data)
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("The group was created. Add its students."))
            return redirect(group)
    return groups(request, form=form)


def group(request, pk):
    return _render_group(request, resolved(request, "group"))


def group_member_add(request, pk):
    actor = actor_for(request)
    group = resolved(request, "group")
    form = forms.MemberAddForm(request.POST, candidates=selectors.group_candidates(group=group, actor=actor))
    if form.is_valid():
        case, goal = form.cleaned_data["member"]
        try:
            services.group_add_member(
                group=group, actor=actor, case=case, goal=goal, joined_on=form.cleaned_data["joined_on"]
            )
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("%(name)s joined the group.") % {"name": case.student.full_name})
            return redirect(group)
    return _render_group(request, group, member=form)


def group_member_leave(request, pk):
    actor = actor_for(request)
    group = resolved(request, "group")
    form = forms.LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a student of the group."))
        return redirect(group)
    member = get_object_or_404(group.members.select_related("case__student"), pk=form.cleaned_data["member"])
    try:
        services.group_member_leave(member=member, actor=actor, left_on=form.cleaned_data["left_on"])
    except RuleError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(name)s left the group.") % {"name": member.case.student.full_name})
    return redirect(group)


def group_register(request, pk):
    """Save one session of the register: into each member's case log."""
    actor = actor_for(request)
    group = resolved(request, "group")
    today = timezone.localdate()
    page = selectors.group_page(group=group, actor=actor, today=today)
    form = forms.RegisterForm(request.POST, members=page.register, measure=bool(group.measure))
    if form.is_valid():
        try:
            services.group_record_session(
                group=group,
                actor=actor,
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                rows=form.rows(),
            )
        except RuleError as e:
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("The session was saved in each student's case log."))
            return redirect(group)
    return _render_group(request, group, page=page, register=form)
