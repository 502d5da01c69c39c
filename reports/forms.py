"""The report filters. The form only validates; ReportFilters carries the
result to the selectors, the exports and the background task."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import ConcernCategory
from roster.models import Classroom, Subject, Term

# A period longer than this makes the monthly chart unreadable and the
# queries needlessly wide.
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 90


class Breakdown:
    GRADE = "grade"
    CLASSROOM = "classroom"
    CHOICES = [(GRADE, _("Grade")), (CLASSROOM, _("Class"))]


@dataclass
class ReportFilters:
    school: object
    date_from: datetime.date
    date_to: datetime.date
    grade: int | None = None
    classroom: Classroom | None = None
    subject: Subject | None = None
    category: ConcernCategory | None = None
    breakdown: str = Breakdown.GRADE
    suppress: bool = False
    term: Term | None = field(default=None, repr=False)

    @property
    def starts_at(self):
        """Start of the first day, in the school's time zone."""
        return timezone.make_aware(datetime.datetime.combine(self.date_from, datetime.time.min))

    @property
    def ends_at(self):
        """Start of the day after the last day (exclusive)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.date_to + datetime.timedelta(days=1), datetime.time.min)
        )

    def as_params(self):
        """The filters as query parameters (also stored on a background export)."""
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        if self.grade is not None:
            params["grade"] = str(self.grade)
        if self.classroom is not None:
            params["classroom"] = str(self.classroom.pk)
        if self.subject is not None:
            params["subject"] = str(self.subject.pk)
        if self.category is not None:
            params["category"] = str(self.category.pk)
        if self.breakdown != Breakdown.GRADE:
            params["breakdown"] = self.breakdown
        if self.suppress:
            params["suppress"] = "1"
        return params

    def describe(self):
        """(label, value) pairs saying which filters are applied, for exports."""
        rows = [(_("From"), self.date_from), (_("To"), self.date_to)]
        if self.grade is not None:
            rows.append((_("Grade"), self.grade))
        if self.classroom is not None:
            rows.append((_("Class"), self.classroom.name))
        if self.subject is not None:
            rows.append((_("Subject"), self.subject.name))
        if self.category is not None:
            rows.append((_("Concern"), str(self.category)))
        if self.suppress:
            rows.append((_("Small numbers"), _("Counts under 5 are shown as <5")))
        return rows


def default_period(school, today=None):
    """The current term, or the last 90 days when no term is current."""
    term = Term.objects.current(school)
    if term is not None:
        return term, term.starts_on, term.ends_on
    today = today or timezone.localdate()
    return None, today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    grade = forms.TypedChoiceField(label=_("Grade"), required=False, coerce=int, empty_value=None)
    classroom = forms.TypedChoiceField(label=_("Class"), required=False, coerce=int, empty_value=None)
    subject = forms.TypedChoiceField(label=_("Subject"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Concern"), required=False, coerce=int, empty_value=None)
    breakdown = forms.ChoiceField(
        label=_("Table rows by"), choices=Breakdown.CHOICES, required=False, initial=Breakdown.GRADE
    )
    suppress = forms.BooleanField(
        label=_("Hide counts under 5"),
        required=False,
        help_text=_(
            "For copies shared outside the school: counts of 1 to 4 are shown as <5 and the case list is left out."
        ),
    )

    def __init__(self, data, *, school, classrooms, subjects, categories, default_from, default_to):
        # Missing dates fall back to the default period, so /reports/ with no
        # parameters shows the current term.
        data = data.copy() if data is not None else {}
        if not data.get("date_from"):
            data["date_from"] = default_from.isoformat()
        if not data.get("date_to"):
            data["date_to"] = default_to.isoformat()
        super().__init__(data)
        self.school = school
        self._classrooms = {c.pk: c for c in classrooms}
        self._subjects = {s.pk: s for s in subjects}
        self._categories = {c.pk: c for c in categories}
        anything = [("", _("All"))]
        grades = sorted({c.grade for c in classrooms if c.grade is not None})
        self.fields["grade"].choices = anything + [(g, str(g)) for g in grades]
        self.fields["classroom"].choices = anything + [(c.pk, c.name) for c in classrooms]
        self.fields["subject"].choices = anything + [(s.pk, s.name) for s in subjects]
        self.fields["category"].choices = anything + [(c.pk, str(c)) for c in categories]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The end date must be on or after the start date."))
            elif (date_to - date_from).days > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Choose a period of at most three years."))
        classroom = self._classrooms.get(cleaned.get("classroom"))
        grade = cleaned.get("grade")
        if classroom is not None and grade is not None and classroom.grade != grade:
            self.add_error(
                "classroom", _("Class %(name)s is not in grade %(grade)s.") % {"name": classroom.name, "grade": grade}
            )
        return cleaned

    def to_filters(self, *, term=None):
        data = self.cleaned_data
        return ReportFilters(
            school=self.school,
            date_from=data["date_from"],
            date_to=data["date_to"],
            grade=data.get("grade"),
            classroom=self._classrooms.get(data.get("classroom")),
            subject=self._subjects.get(data.get("subject")),
            category=self._categories.get(data.get("category")),
            breakdown=data.get("breakdown") or Breakdown.GRADE,
            suppress=bool(data.get("suppress")),
            term=term,
        )


def filter_form_for(school, data, *, today=None):
    """The filter form with the school's classes, subjects and concerns
    (three queries) and the default period (one query)."""
    term, default_from, default_to = default_period(school, today=today)
    classrooms = list(Classroom.objects.for_school(school).order_by("grade", "name"))
    subjects = list(Subject.objects.for_school(school).order_by("name"))
    categories = list(ConcernCategory.objects.for_school(school).order_by("position", "name"))
    form = ReportFilterForm(
        data,
        school=school,
        classrooms=classrooms,
        subjects=subjects,
        categories=categories,
        default_from=default_from,
        default_to=default_to,
    )
    form.term = term
    form.categories = categories
    return form
