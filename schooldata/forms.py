import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from roster.importing.reading import MAX_BYTES
from roster.models import Classroom, Term
from schooldata.importing import DEFAULT_ASSESSMENT, DataKind


class SchoolDataImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel (.xlsx), at most 5 MB: e-Rapor's grade ledger, a score sheet or an attendance recap."
        ),
        allow_empty_file=True,
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("What the file contains"),
        choices=[("", _("Detect automatically")), *DataKind.choices],
        required=False,
    )
    term = forms.ModelChoiceField(label=_("Term"), queryset=Term.objects.none(), required=False, empty_label=None)
    classroom = forms.ModelChoiceField(
        label=_("Class"),
        queryset=Classroom.objects.none(),
        required=False,
        empty_label=_("From the file"),
        help_text=_("When the file has no class column nor “Kelas: …” above the table."),
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=60,
        required=False,
        initial=DEFAULT_ASSESSMENT,
        help_text=_("For a ledger with one column per subject, e.g. Nilai Rapor, PTS, UH 2."),
    )
    date = forms.DateField(label=_("Assessment date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.CharField(
        label=_("Month of the attendance recap"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-09"}),
        help_text=_("For a monthly recap; a daily list gives its own dates."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.for_school(school).select_related("year").order_by("-starts_on")
        self.fields["classroom"].queryset = Classroom.objects.for_school(school)
        current = Term.objects.current(school)
        if current is not None:
            self.fields["term"].initial = current.pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        return upload

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        for pattern in ("%Y-%m", "%m/%Y", "%m-%Y"):
            try:
                return datetime.datetime.strptime(value, pattern).date().replace(day=1)
            except ValueError:
                continue
        raise forms.ValidationError(_("Write the month as yyyy-mm, for example 2026-09."))

    def options(self):
        data = self.cleaned_data
        return {
            "term": data["term"].pk if data.get("term") else None,
            "classroom": data["classroom"].pk if data.get("classroom") else None,
            "assessment": data.get("assessment") or DEFAULT_ASSESSMENT,
            "date": data["date"].isoformat() if data.get("date") else None,
            "month": data["month"].isoformat() if data.get("month") else None,
        }


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why no referral is needed"), max_length=300)
