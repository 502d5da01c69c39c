"""The triage queue's filters."""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from referrals import selectors
from referrals.models import ConcernCategory, Referral, Status, Urgency
from roster.models import Classroom, Student


class DateInput(forms.DateInput):
    input_type = "date"


class LabelledDateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date boxes under one <label>: the label can point at one box only,
    so each box also gets its own accessible name."""

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.names, strict=False):
            subwidget["attrs"]["aria-label"] = str(label)
        return context


class _ReadChoiceIterator(ModelChoiceIterator):
    """The choices from the rows the view has already read (field.rows), not
    from a second query of the same rows when the form is drawn."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows) + (self.field.empty_label is not None)


class TriageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any status"))
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency"))
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), field_name="student__classroom__grade", empty_label=_("Any grade")
    )
    classroom = django_filters.ModelChoiceFilter(
        label=_("Class"), field_name="student__classroom", queryset=Classroom.objects.none(), empty_label=_("Any class")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Concern"),
        field_name="categories",
        queryset=ConcernCategory.objects.none(),
        empty_label=_("Any concern"),
    )
    filed = django_filters.DateFromToRangeFilter(
        label=_("Filed between"),
        field_name="created_at",
        widget=LabelledDateRangeWidget(
            attrs={"type": "date"},
            names=(
                format_lazy("{}: {}", _("Filed between"), _("From")),
                format_lazy("{}: {}", _("Filed between"), _("Until")),
            ),
        ),
    )
    mine = django_filters.BooleanFilter(
        label=_("Only classes I cover"), method="filter_mine", widget=forms.CheckboxInput
    )

    # The queue opens on what waits for the counselor in the classes they cover.
    DEFAULTS = {"status": Status.SUBMITTED}

    def __init__(self, data=None, *args, school, user, classrooms=None, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)
        if classrooms is None:
            classrooms = list(Classroom.objects.for_school(school).order_by("grade", "name"))
        # The class choices are the classes read once (in the form's order):
        # the queryset only checks a chosen value.
        field = self.form.fields["classroom"]
        field.rows = classrooms
        field.iterator = _ReadChoiceIterator
        field.queryset = Classroom.objects.for_school(school).order_by("grade", "name")
        grades = sorted({c.grade for c in classrooms if c.grade is not None})
        self.form.fields["grade"].choices = [("", _("Any grade"))] + [(g, str(g)) for g in grades]
        self.form.fields["category"].queryset = selectors.active_categories(school)

    def filter_mine(self, queryset, name, value):
        if value:
            # A semi-join on the students of the classes the counselor covers
            # (a few hundred), so that counting can stay on an index of
            # referrals alone.
            return queryset.filter(student__in=Student.objects.filter(classroom__counselor=self.user).values("id"))
        return queryset

    class Meta:
        model = Referral
        fields = ["status", "urgency", "grade", "classroom", "category", "filed", "mine"]

    @classmethod
    def param_names(cls):
        names = set()
        for name, f in cls.base_filters.items():
            if isinstance(f, django_filters.DateFromToRangeFilter):
                names |= {f"{name}_after", f"{name}_before"}
            else:
                names.add(name)
        return names
