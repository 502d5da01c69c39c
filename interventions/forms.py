"""Forms of the intervention library; they only validate."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.once import OnceForm
from casework.forms import DATE, ObjectChoiceField, ObjectMultipleChoiceField
from casework.models import TeamRole
from common.widgets import CountedTextarea
from interventions.models import CarriedBy, Strategy


class StrategyForm(OnceForm, forms.ModelForm):
    """A strategy a counselor adds to the school's library."""

    class Meta:
        model = Strategy
        fields = [
            "name",
            "what",
            "area",
            "categories",
            "carried_by",
            "sessions_per_week",
            "minutes",
            "weeks",
            "measure",
            "unit",
            "why",
            "source",
        ]
        widgets = {"what": CountedTextarea(attrs={"rows": 3})}
        help_texts = {"source": _("A name is enough, e.g. the author or the programme.")}

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"] = ObjectMultipleChoiceField(
            objects=categories, describe=lambda c: c.label, label=_("For concerns"), required=False
        )


def _goal(goal):
    return goal.statement


class PlanFromStrategyForm(OnceForm, forms.Form):
    """A goal and an action from a library strategy: everything prefilled, all editable."""

    strategy = ObjectChoiceField(widget=forms.HiddenInput)
    goal = ObjectChoiceField(label=_("For goal"), required=False)
    statement = forms.CharField(label=_("New goal"), max_length=300, required=False)
    indicator = forms.CharField(label=_("What is measured"), max_length=200, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=7, decimal_places=1, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=7, decimal_places=1, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    target_date = forms.DateField(label=_("Target date"), widget=DATE, required=False)
    description = forms.CharField(label=_("Action: what will be done"), max_length=300)
    responsible = ObjectChoiceField(label=_("Who is responsible"))
    frequency = forms.CharField(label=_("How often"), max_length=100, required=False)
    sessions_per_week = forms.IntegerField(label=_("Sessions a week"), min_value=1, max_value=14, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Until"), widget=DATE, required=False)

    def __init__(self, *args, strategy, members=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"] = ObjectChoiceField(objects=[strategy], widget=forms.HiddenInput, empty_label=None)
        self.fields["goal"] = ObjectChoiceField(
            objects=goals, describe=_goal, label=_("For goal"), required=False, empty_label=_("A new goal (below)")
        )
        self.fields["responsible"] = ObjectChoiceField(
            objects=[m.user for m in members],
            describe=lambda u: next(
                f"{m.user.get_full_name()} · {m.get_role_display()}" for m in members if m.user_id == u.pk
            ),
            label=_("Who is responsible"),
            help_text=_("One person from the team."),
        )

    def clean(self):
        data = super().clean()
        if data.get("goal") is None:
            if not (data.get("statement") or "").strip():
                self.add_error("statement", _("Say what the goal is, or choose a goal of the plan."))
            if not (data.get("indicator") or "").strip():
                self.add_error("indicator", _("Say what is measured."))
            if (
                data.get("target") is not None
                and data.get("baseline") is not None
                and data["target"] == data["baseline"]
            ):
                self.add_error("target", _("The target should differ from the baseline."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


# Who on the team usually carries a strategy out, by the strategy's "carried by".
TEAM_ROLES_FOR = {
    CarriedBy.SUBJECT_TEACHER: (TeamRole.SUBJECT_TEACHER, TeamRole.REFERRING_TEACHER),
    CarriedBy.HOMEROOM_TEACHER: (TeamRole.HOMEROOM_TEACHER,),
    CarriedBy.COUNSELOR: (TeamRole.LEAD_COUNSELOR,),
    CarriedBy.PARENTS: (TeamRole.LEAD_COUNSELOR,),
}


def initial_for(strategy, *, case, members, today):
    """What picking ``strategy`` fills in: the action (who, how often, how
    long) and the goal's measure."""
    person = case.lead_counselor
    for role in TEAM_ROLES_FOR.get(strategy.carried_by, ()):
        member = next((m for m in members if m.role == role), None)
        if member is not None:
            person = member.user
            break
    ends = today + datetime.timedelta(weeks=strategy.weeks) if strategy.weeks else None
    return {
        "strategy": strategy,
        "indicator": strategy.measure_text,
        "unit": strategy.unit_text,
        "target_date": ends,
        "description": strategy.title,
        "responsible": person,
        "frequency": strategy.frequency_text(),
        "sessions_per_week": strategy.sessions_per_week,
        "starts_on": today,
        "ends_on": ends,
    }


class GroupForm(OnceForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("e.g. Remedial maths VII, Thursday"))
    leader = ObjectChoiceField(label=_("Run by"))
    strategy = ObjectChoiceField(label=_("Strategy from the library"), required=False)
    frequency = forms.CharField(label=_("How often"), max_length=100, required=False)
    sessions_per_week = forms.IntegerField(label=_("Sessions a week"), min_value=1, max_value=14, required=False)
    measure = forms.CharField(
        label=_("What is measured each session"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for attendance only."),
    )

    def __init__(self, *args, leaders=(), strategies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"] = ObjectChoiceField(
            objects=leaders, describe=lambda u: u.get_full_name(), label=_("Run by")
        )
        self.fields["strategy"] = ObjectChoiceField(
            objects=strategies, describe=lambda s: s.title, label=_("Strategy from the library"), required=False
        )


def _candidate_label(case, goal):
    who = f"{case.student.full_name} ({case.student.classroom.name if case.student.classroom else '—'}) · {case.number}"
    return f"{who} · {goal.statement}" if goal is not None else f"{who} · {_('no goal: attendance only')}"


class MemberAddForm(forms.Form):
    member = forms.ChoiceField(label=_("Student, and the goal the group serves"))
    joined_on = forms.DateField(label=_("Joins on"), widget=DATE, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {f"{c.pk}:{g.pk if g else ''}": (c, g) for c, g in candidates}
        self.fields["member"].choices = [("", "—")] + [(k, _candidate_label(*v)) for k, v in self.candidates.items()]

    def clean_member(self):
        return self.candidates[self.cleaned_data["member"]]


class LeaveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    left_on = forms.DateField(label=_("Left on"), widget=DATE, required=False)


class RegisterForm(forms.Form):
    """The session register: the date, what was done, and per student present
    (ticked by default) and a measurement when the group measures one."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("What we did"), max_length=300, required=False)

    def __init__(self, *args, members=(), measure=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.measure = measure
        for m in self.members:
            self.fields[f"present_{m.pk}"] = forms.BooleanField(required=False, initial=True)
            if measure and m.goal_id:
                self.fields[f"value_{m.pk}"] = forms.DecimalField(
                    required=False, max_digits=7, decimal_places=1, min_value=-999999
                )
        for m in self.members:
            m.present_field = self[f"present_{m.pk}"]
            m.value_field = self[f"value_{m.pk}"] if f"value_{m.pk}" in self.fields else None

    def rows(self):
        data = self.cleaned_data
        return [(m, data.get(f"present_{m.pk}", False), data.get(f"value_{m.pk}")) for m in self.members]
