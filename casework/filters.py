import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import CaseMember, CaseStatus
from roster.models import Classroom
from roster.search import name_contains

SCOPES = [("mine", _("My cases")), ("all", _("All counselors"))]
STATUSES = [("current", _("Not closed")), *CaseStatus.choices, ("any", _("Any status"))]
# What the caseload shows when the counselor has not chosen yet.
DEFAULTS = {"scope": "mine", "status": "current"}


class CaseloadFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(label=_("Cases"), choices=SCOPES, method="filter_scope", empty_label=None)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUSES, method="filter_status", empty_label=None)
    classroom = django_filters.ModelChoiceFilter(
        label=_("Class"),
        field_name="student__classroom",
        queryset=Classroom.objects.none(),
        empty_label=_("All classes"),
    )
    # A bounded length: SQLite refuses LIKE patterns over 50,000 bytes.
    q = django_filters.CharFilter(
        label=_("Student"), method="filter_student", max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, data=None, *args, actor, **kwargs):
        data = data.copy() if data is not None else {}
        for key, value in DEFAULTS.items():
            if not data.get(key):
                data[key] = value
        super().__init__(data, *args, **kwargs)
        self.actor = actor
        self.filters["classroom"].queryset = Classroom.objects.for_school(actor.school)

    def filter_scope(self, queryset, name, value):
        if value == "mine":
            user = self.actor.user
            return queryset.filter(
                Q(lead_counselor=user) | Q(pk__in=CaseMember.objects.filter(user=user).values("case"))
            )
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "current":
            return queryset.not_closed()
        if value in CaseStatus.values:
            return queryset.filter(status=value)
        return queryset

    def filter_student(self, queryset, name, value):
        return queryset.filter(name_contains("student__full_name", value))
