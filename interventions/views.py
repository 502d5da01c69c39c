"""The intervention library (/library/) and planning a case from it
(/cases/<id>/library/). PolicyMiddleware has checked each URL's entry."""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import actor_for, may_manage_library, resolved
from casework.pages import FormPage
from casework.selectors import case_queryset
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
