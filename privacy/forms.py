from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class StudentExportForm(forms.Form):
    identity_checked = forms.BooleanField(
        label=_("I have checked that the person asking is the student's parent or guardian (or the student)."),
        error_messages={"required": _("Confirm that you checked who is asking before exporting.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the files"),
        choices=settings.LANGUAGES,
    )
    include_confidential = forms.BooleanField(
        label=_("Also include the confidential counselor notes, in a separate, clearly labelled file"),
        required=False,
        help_text=_(
            "They are personal data about the student, so the guardian may ask for them. Leave this off if they "
            "hold something that must not reach the family (for example a suspected family problem or what the "
            "student said in confidence), and note your reason in a confidential note."
        ),
    )
