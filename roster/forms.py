from django import forms
from django.utils.translation import gettext_lazy as _

from roster.importing import ColumnKind
from roster.importing.reading import MAX_BYTES


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), at most 5 MB. Dapodik's student export can be uploaded as it is."),
        # An empty file gets the importer's own message, the same as on the command line.
        allow_empty_file=True,
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("What the file contains"),
        choices=[("", _("Detect automatically")), *ColumnKind.choices],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        return upload
