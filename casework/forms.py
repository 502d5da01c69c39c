"""Forms of the case record, the caseload and the task list. They only validate;
the views hand cleaned_data to casework.services.

Choices of people, goals and actions come from rows the page has already
loaded (ObjectChoiceField), so a form adds no query when it is rendered.
"""

import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.once import OnceForm
from accounts.policy import is_responsible, may_lead_case
from casework.models import (
    TEACHER_ENTRY_KINDS,
    Action,
    ActionStatus,
    Case,
    ConfidentialNote,
    EntryKind,
    EvaluationEntry,
    EvaluationRating,
    Goal,
    GoalDecision,
    Meeting,
    Outcome,
    SchoolMeasure,
    TeamRole,
)
from common.limits import TEXT_LIMIT
from common.widgets import CountedTextarea
from roster.models import Subject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT_TEXT = CountedTextarea(attrs={"rows": 2})


def entry_before_opening(opened_on):
    return _("The date cannot be before the case was opened (%(date)s).") % {
        "date": formats.date_format(opened_on, "DATE_FORMAT")
    }


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects already in memory; cleans to the object."""

    def __init__(self, *, objects=(), describe=str, empty_label="—", **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        choices = [(str(o.pk), describe(o)) for o in objects]
        if empty_label is not None:
            choices = [("", empty_label), *choices]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return str(getattr(value, "pk", value)) if value not in (None, "") else ""

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(str(value)) if value not in (None, "") else None

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != (data or "")


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, objects=(), describe=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        super().__init__(choices=[(str(o.pk), describe(o)) for o in objects], **kwargs)

    def prepare_value(self, value):
        return [str(getattr(v, "pk", v)) for v in value or []]

    def clean(self, value):
        return [self.objects[v] for v in super().clean(value)]


def _person(user):
    return user.get_full_name()


def _member(member):
    return f"{member.user.get_full_name()} · {member.get_role_display()}"


class VersionedForm(forms.ModelForm):
    """Carries the row's version so a stale save can be refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SummaryForm(VersionedForm):
    class Meta:
        model = Case
        fields = ["summary", "version"]
        widgets = {"summary": CountedTextarea(attrs={"rows": 4})}


class AssessmentForm(VersionedForm):
    class Meta:
        model = Case
        fields = ["counselor_assessment", "perspectives_to_discuss", "version"]
        widgets = {"counselor_assessment": CountedTextarea(attrs={"rows": 3})}


class GuidanceForm(VersionedForm):
    class Meta:
        model = Case
        fields = ["classroom_guidance", "version"]
        widgets = {"classroom_guidance": CountedTextarea(attrs={"rows": 4})}


class TeamAddForm(OnceForm, forms.Form):
    user = ObjectChoiceField(label=_("Person"))
    role = forms.ChoiceField(
        label=_("Role on this case"),
        choices=[(v, label) for v, label in TeamRole.choices if v != TeamRole.LEAD_COUNSELOR],
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"] = ObjectChoiceField(objects=candidates, describe=_person, label=_("Person"))


class ReassignForm(forms.Form):
    def __init__(self, *args, counselors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"] = ObjectChoiceField(objects=counselors, describe=_person, label=_("Lead counselor"))


class GoalForm(OnceForm, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["statement", "indicator", "baseline", "target", "unit", "target_date", "measure", "measure_subject"]
        widgets = {"target_date": DATE}

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        school_id = getattr(school, "pk", school)
        if school_id is None and self.instance.case_id:
            school_id = self.instance.case.school_id
        # Only the school's own subjects (a goal measured by a subject's scores).
        self.fields["measure_subject"].queryset = (
            Subject.objects.filter(school_id=school_id) if school_id is not None else Subject.objects.none()
        )

    def clean(self):
        data = super().clean()
        if data.get("target") is not None and data.get("baseline") is not None and data["target"] == data["baseline"]:
            self.add_error("target", _("The target should differ from the baseline."))
        if data.get("measure") == SchoolMeasure.SCORES and not data.get("measure_subject"):
            self.add_error("measure_subject", _("Choose the subject whose scores measure this goal."))
        elif data.get("measure") != SchoolMeasure.SCORES:
            data["measure_subject"] = None
        return data


class GoalEditForm(GoalForm):
    once = False  # an edit: StaleEdit handles a resend
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(GoalForm.Meta):
        fields = [*GoalForm.Meta.fields, "version"]


class ActionForm(OnceForm, forms.ModelForm):
    """What, who (one team member), for which goal, how often, from/until."""

    class Meta:
        model = Action
        fields = ["description", "responsible", "goal", "frequency", "sessions_per_week", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, members=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"] = ObjectChoiceField(
            objects=[m.user for m in members],
            describe=lambda u: next(_member(m) for m in members if m.user_id == u.pk),
            label=_("Who is responsible"),
            help_text=_("One person from the team."),
        )
        self.fields["goal"] = ObjectChoiceField(objects=goals, label=_("For goal"), required=False)
        self.fields["frequency"].widget.attrs["placeholder"] = _("e.g. twice a week")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class ActionEditForm(ActionForm):
    once = False  # an edit: StaleEdit handles a resend
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(ActionForm.Meta):
        fields = [*ActionForm.Meta.fields, "status", "version"]


class DecisionForm(ActionForm):
    """A meeting's decision, saved as an action in one step."""

    class Meta(ActionForm.Meta):
        fields = ["description", "responsible", "goal", "frequency", "ends_on"]
        labels = {"description": _("Decision (what will be done)")}


class GoalDecisionForm(OnceForm, forms.ModelForm):
    """The counselor's decision on a goal's progress, with the reason."""

    class Meta:
        model = GoalDecision
        fields = ["kind", "reason", "decided_on"]
        widgets = {"kind": forms.RadioSelect, "reason": SHORT_TEXT, "decided_on": DATE}
        help_texts = {"reason": _("Shared with the team: what you read in the measurements and what happens next.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("decided_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class MeetingForm(OnceForm, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "starts_at", "duration_minutes", "place", "agenda"]
        widgets = {"starts_at": DATETIME, "agenda": CountedTextarea(attrs={"rows": 3})}

    def __init__(self, *args, members=(), staff=None, **kwargs):
        """Attendees: the case team (``members``), then any other active
        colleague of the school (``staff``: {user: roles}); attending a meeting
        gives access to that meeting only."""
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["duration_minutes"].min_value = 5
        labels = {m.user_id: _member(m) for m in members}
        people = [m.user for m in members]
        for user, roles in (staff or {}).items():
            if user.pk not in labels:
                labels[user.pk] = " · ".join([user.get_full_name(), *sorted(str(r.label) for r in roles)])
                people.append(user)
        for user in self._current_attendees():
            if user.pk not in labels:
                labels[user.pk] = user.get_full_name()
                people.append(user)
        self.fields["attendees"] = ObjectMultipleChoiceField(
            objects=people, describe=lambda u: labels[u.pk], label=_("Attendees")
        )
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("attendees", [m.user for m in members])

    def _current_attendees(self):
        return []

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if value is not None and not 5 <= value <= 480:
            raise forms.ValidationError(_("Between 5 and 480 minutes."))
        return value


class MeetingEditForm(MeetingForm):
    once = False  # an edit: StaleEdit handles a resend
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta(MeetingForm.Meta):
        fields = [*MeetingForm.Meta.fields, "minutes", "sequence"]
        widgets = {**MeetingForm.Meta.widgets, "minutes": CountedTextarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial.setdefault("attendees", self._current_attendees())

    def _current_attendees(self):
        """The meeting's attendees (kept as choices even if no longer on staff)."""
        if not hasattr(self, "_attendees"):
            self._attendees = list(self.instance.attendees.all()) if self.instance.pk else []
        return self._attendees


class EntryForm(OnceForm, forms.ModelForm):
    """An entry in the shared evaluation log. ``goals`` and ``actions`` are
    the ones the author may write about."""

    class Meta:
        model = EvaluationEntry
        fields = ["kind", "date", "goal", "action", "measured_value", "rating", "note", "next_follow_up"]
        widgets = {"date": DATE, "next_follow_up": DATE, "note": CountedTextarea(attrs={"rows": 3})}
        help_texts = {
            "measured_value": _("A number for the goal's indicator, e.g. a score or days absent."),
            "next_follow_up": _("When to look again. It appears in your tasks."),
        }

    def __init__(self, *args, goals=(), actions=(), kinds=None, any_target=True, opened_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.any_target = any_target
        self.opened_on = opened_on
        self.fields["goal"] = ObjectChoiceField(objects=goals, label=_("Goal"), required=False)
        self.fields["action"] = ObjectChoiceField(objects=actions, label=_("Action"), required=False)
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in EntryKind.choices if k in kinds]
        self.fields["rating"].choices = [("", _("— not rated —")), *EvaluationRating.choices]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    @classmethod
    def for_author(cls, data=None, *, goals, actions, actor, **kwargs):
        """A lead counselor writes about anything; anyone else about the actions
        they are responsible for and those actions' goals, in TEACHER_ENTRY_KINDS."""
        if may_lead_case(actor):
            return cls(data, goals=goals, actions=actions, **kwargs)
        mine = [a for a in actions if is_responsible(actor, a)]
        goal_ids = {a.goal_id for a in mine}
        goals = [g for g in goals if g.pk in goal_ids]
        return cls(data, goals=goals, actions=mine, kinds=TEACHER_ENTRY_KINDS, any_target=False, **kwargs)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day and self.opened_on and day < self.opened_on:
            raise forms.ValidationError(entry_before_opening(self.opened_on))
        return day

    def clean(self):
        data = super().clean()
        goal, action = data.get("goal"), data.get("action")
        if goal is None and action is not None:
            goal = data["goal"] = action.goal
        if action is not None and goal is not None and action.goal_id not in (None, goal.pk):
            self.add_error("action", _("That action serves another goal."))
        if not self.any_target and goal is None and action is None:
            self.add_error("goal", _("Choose one of your goals or actions."))
        if data.get("measured_value") is not None and goal is None:
            self.add_error("measured_value", _("Choose the goal this value measures."))
        follow, day = data.get("next_follow_up"), data.get("date")
        if follow and day and follow < day:
            self.add_error("next_follow_up", _("The next follow-up cannot be before the entry's date."))
        return data


class SessionForm(forms.Form):
    """One tap on /tasks/: a session held today, or not held with a reason."""

    held = forms.TypedChoiceField(
        label=_("Session"),
        choices=[("1", _("Held")), ("0", _("Not held"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Why not held"), required=False, max_length=200)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE)


class QuickEntryForm(forms.Form):
    """The short entry carried by a "done" on the task list."""

    note = forms.CharField(label=_("Short note"), required=False, max_length=1000, widget=SHORT_TEXT)
    measured_value = forms.DecimalField(
        label=_("Measured value"), required=False, max_digits=7, decimal_places=1, min_value=-999999
    )
    rating = forms.ChoiceField(
        label=_("Rating"), required=False, choices=[("", _("— not rated —")), *EvaluationRating.choices]
    )


class FollowUpDoneForm(QuickEntryForm):
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False, widget=DATE)

    def clean_next_follow_up(self):
        day = self.cleaned_data["next_follow_up"]
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The follow-up date cannot be in the past."))
        return day


class FollowUpForm(forms.Form):
    """The caseload's quick "add follow-up"."""

    date = forms.DateField(label=_("Follow up on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The follow-up date cannot be in the past."))
        if day > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("Choose a date within the next year."))
        return day


class NoteForm(OnceForm, forms.ModelForm):
    class Meta:
        model = ConfidentialNote
        fields = ["body"]
        labels = {"body": _("Confidential note")}
        widgets = {"body": CountedTextarea(attrs={"rows": 3})}


class StatusForm(forms.Form):
    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"] = forms.ChoiceField(label=_("New status"), choices=choices)


# What closing a case does with an action still open.
ACTION_ENDINGS = [(ActionStatus.DONE, _("Done")), (ActionStatus.CANCELLED, _("Dropped"))]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *Outcome.choices],
        error_messages={"required": _("Choose the outcome of the case.")},
    )
    final_note = forms.CharField(
        label=_("Final evaluation"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Write the final evaluation before closing the case.")},
        widget=CountedTextarea(attrs={"rows": 4}),
        help_text=_("What changed for the student, and what the team learned. Shared with the team."),
    )
    rating = forms.ChoiceField(
        label=_("Overall"), required=False, choices=[("", _("— not rated —")), *EvaluationRating.choices]
    )

    def __init__(self, *args, open_actions=(), **kwargs):
        """``open_actions``: the case's actions still planned or in progress; the
        form asks, for each, whether it was done or is dropped."""
        super().__init__(*args, **kwargs)
        self.open_actions = list(open_actions)
        for action in self.open_actions:
            self.fields[f"action_{action.pk}"] = forms.ChoiceField(
                label=_("Open action: %(action)s") % {"action": action.description},
                choices=ACTION_ENDINGS,
                widget=forms.RadioSelect,
                help_text=conditional_escape(action.responsible.get_full_name()),  # crispy marks help text safe
                error_messages={"required": _("Say whether this action was done or is dropped.")},
            )

    def clean(self):
        data = super().clean()
        data["action_endings"] = {
            a.pk: data.pop(f"action_{a.pk}") for a in self.open_actions if data.get(f"action_{a.pk}")
        }
        return data

    def clean_final_note(self):
        note = self.cleaned_data["final_note"].strip()
        if not note:
            raise forms.ValidationError(_("Write the final evaluation before closing the case."))
        return note


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen the case?"),
        widget=SHORT_TEXT,
        max_length=1000,
        error_messages={"required": _("Say why the case is reopened.")},
    )


def case_page_forms(case, page, perms, staff, actor):
    """The forms the case page shows, as far as ``perms`` allow; ``staff`` is
    the school's staff with their roles."""
    members = page.members
    f = {}
    if perms.edit:
        on_team = {m.user_id for m in members}
        f["team"] = TeamAddForm(candidates=[u for u in staff if u.pk not in on_team], auto_id="id_team_%s")
        f["goal"] = GoalForm(auto_id="id_goal_%s", school=case.school_id)
        f["action"] = ActionForm(members=members, goals=page.goals, auto_id="id_action_%s")
        f["meeting"] = MeetingForm(members=members, staff=staff, auto_id="id_meeting_%s")
        f["summary"] = SummaryForm(instance=case, auto_id="id_summary_%s")
        f["assessment"] = AssessmentForm(instance=case, auto_id="id_assessment_%s")
        f["guidance"] = GuidanceForm(instance=case, auto_id="id_guidance_%s")
        f["close"] = CloseForm(open_actions=[a for a in page.actions if a.is_open], auto_id="id_close_%s")
        if page.status_choices:
            f["status"] = StatusForm(choices=page.status_choices, auto_id="id_status_%s")
    if perms.reassign:
        counselors = [u for u, roles in staff.items() if Role.COUNSELOR in roles]
        f["reassign"] = ReassignForm(
            counselors=counselors, initial={"counselor": case.lead_counselor}, auto_id="id_lead_%s"
        )
    if perms.lead and case.is_closed:
        f["reopen"] = ReopenForm(auto_id="id_reopen_%s")
    if perms.entries:
        f["entry"] = EntryForm.for_author(
            goals=page.goals,
            actions=page.actions,
            actor=actor,
            opened_on=timezone.localdate(case.opened_at),
            auto_id="id_entry_%s",
        )
    if perms.confidential:
        f["note"] = NoteForm(auto_id="id_note_%s")
    return f


class SlotFinderForm(forms.Form):
    """Who should meet, for how long and where: the finder proposes times
    (a GET form; booking a proposed time posts MeetingForm)."""

    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480, initial=40)
    place = forms.CharField(label=_("Place"), max_length=150, initial=_("Counseling room"))

    def __init__(self, *args, members=(), staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {m.user_id: _member(m) for m in members}
        people = [m.user for m in members]
        for user, roles in (staff or {}).items():
            if user.pk not in labels:
                labels[user.pk] = " · ".join([user.get_full_name(), *sorted(str(r.label) for r in roles)])
                people.append(user)
        self.fields["attendees"] = ObjectMultipleChoiceField(
            objects=people, describe=lambda u: labels[u.pk], label=_("Attendees")
        )
        self.initial.setdefault("attendees", [m.user for m in members])
        self.order_fields(["attendees", "duration_minutes", "place"])


class TalkForm(OnceForm, forms.Form):
    """One of the proposed times for a short talk with the counselor."""

    starts_at = forms.DateTimeField(label=_("Time"), input_formats=["%Y-%m-%dT%H:%M"])
