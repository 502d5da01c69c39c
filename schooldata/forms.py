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


class ScoreEntryForm(forms.Form):
    """One assessment's scores for a class a teacher teaches: one field per
    student, or the scores pasted one per line in the order of the list."""

    name = forms.CharField(
        label=_("Assessment"), max_length=60, help_text=_("For example UH 2, PTS, Kuis 3."), initial="UH 1"
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    paste = forms.CharField(
        label=_("Or paste the scores"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "inputmode": "decimal"}),
        help_text=_(
            "One score per line, in the order of the list (from a spreadsheet column). Empty lines keep a score as it is."
        ),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = list(students)
        for student in self.students:
            self.fields[f"score_{student.pk}"] = forms.CharField(
                label=student.full_name,
                required=False,
                max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5}),
            )

    def student_fields(self):
        return [(student, self[f"score_{student.pk}"]) for student in self.students]

    def clean(self):
        from roster.importing.cleaning import CellError
        from schooldata.importing import clean_score

        data = super().clean()
        pasted = data.get("paste", "")
        lines = pasted.splitlines() if pasted.strip() else None
        if lines is not None:
            while lines and not lines[-1].strip():
                lines.pop()
            if len(lines) != len(self.students):
                self.add_error(
                    "paste",
                    _(
                        "%(lines)d lines for %(students)d students: paste one line per student, in the order of the list."
                    )
                    % {"lines": len(lines), "students": len(self.students)},
                )
                return data
        scores = {}
        for i, student in enumerate(self.students):
            key = f"score_{student.pk}"
            text = lines[i].split("\t")[-1].strip() if lines is not None else data.get(key, "")
            try:
                scores[student.pk] = clean_score(text)
            except CellError as error:
                self.add_error(
                    "paste" if lines is not None else key,
                    f"{student.full_name}: {error.message}" if lines is not None else error.message,
                )
        data["scores"] = scores
        return data
