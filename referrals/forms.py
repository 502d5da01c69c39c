"""Referral forms. They only validate; services make the changes."""

import filetype
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.once import OnceForm
from common.widgets import CountedTextarea
from referrals import selectors
from referrals.models import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_SIZE,
    MAX_ATTACHMENTS,
    URGENCY_HELP,
    ContactPreference,
    ParentsInformed,
    Rating,
    Since,
    Urgency,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ATTACHMENT_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def detect_type(upload):
    """The content type read from the file's first bytes, or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.classroom or '—'}"


class ReferralForm(OnceForm, forms.Form):
    student = StudentChoiceField(
        label=_("Student"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a student first."),
            "invalid_choice": _("Choose a student of your school from the search."),
        },
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("What are you concerned about?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one concern.")},
    )
    observation = forms.CharField(
        label=_("What did you observe?"),
        max_length=4000,
        widget=CountedTextarea(attrs={"rows": 3}),
        help_text=_("What the student did or did not do, in your own words."),
        error_messages={"required": _("Describe what you observed.")},
    )
    observed_since = forms.ChoiceField(
        label=_("Since when?"),
        choices=Since.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say since when you have noticed it.")},
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    teacher_view = forms.CharField(
        label=_("What do you think lies behind it?"),
        max_length=300,
        required=False,
        help_text=_("One line: your own view. It is kept beside the counselor's assessment."),
    )
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=None, required=False, empty_label=_("No subject"))
    latest_score = forms.DecimalField(
        label=_("Latest score in the subject"),
        required=False,
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0", "max": "100"}),
    )
    absences_30_days = forms.IntegerField(
        label=_("Absences in the last 30 days"),
        required=False,
        min_value=0,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": "30"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP) or PDF, up to 5 MB each, at most 5 files."),
    )
    already_tried = forms.CharField(
        label=_("What have you already tried?"),
        max_length=4000,
        required=False,
        widget=CountedTextarea(attrs={"rows": 2}),
    )
    contact_preference = forms.ChoiceField(
        label=_("How should the counselor contact you?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.IN_APP,
        widget=forms.RadioSelect,
    )
    parents_informed = forms.ChoiceField(
        label=_("Have the parents been told?"),
        choices=ParentsInformed.choices,
        initial=ParentsInformed.NOT_SURE,
        widget=forms.RadioSelect,
    )

    # Fields shown folded under "More details"; the fold opens when one has an error.
    DETAIL_FIELDS = (
        "subject",
        "latest_score",
        "absences_30_days",
        "attachments",
        "already_tried",
        "contact_preference",
        "parents_informed",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = selectors.students_for_form(school)
        self.fields["categories"].queryset = selectors.active_categories(school)
        self.fields["subject"].queryset = school.subjects.order_by("name")

    def urgency_options(self):
        """(value, label, explanation, checked) for the urgency radios."""
        current = self["urgency"].value() or Urgency.ROUTINE
        return [(value, label, URGENCY_HELP[value], value == current) for value, label in Urgency.choices]

    @property
    def details_have_errors(self):
        return any(name in self.errors for name in self.DETAIL_FIELDS)

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                ngettext(
                    "Attach at most %(max)d file.",
                    "Attach at most %(max)d files.",
                    MAX_ATTACHMENTS,
                )
                % {"max": MAX_ATTACHMENTS}
            )
        checked = []
        errors = []
        for upload in files:
            if upload.size > MAX_ATTACHMENT_SIZE:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s is larger than 5 MB."), code="too_large", params={"name": upload.name}
                    )
                )
                continue
            content_type = detect_type(upload)
            if content_type not in ATTACHMENT_TYPES:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s is not a JPEG, PNG or WebP image or a PDF file."),
                        code="bad_type",
                        params={"name": upload.name},
                    )
                )
                continue
            checked.append((upload, content_type))
        if errors:
            raise forms.ValidationError(errors)
        return checked


class StudentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the student"),
        max_length=100,
        required=False,
        help_text=_("Type part of the name or the NISN."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True}),
    )


class TriageActionForm(forms.Form):
    """The triage forms share one page and field names: each gets its own ids,
    so that every label points at its own field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AskInfoForm(TriageActionForm):
    id_prefix = "ask"
    message = forms.CharField(
        label=_("What would you like the teacher to add?"),
        max_length=4000,
        widget=CountedTextarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the question the teacher should answer.")},
    )


class ResubmitForm(TriageActionForm):
    id_prefix = "resubmit"
    message = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=CountedTextarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your answer to the counselor's question.")},
    )


class DeclineForm(TriageActionForm):
    id_prefix = "decline"
    reason = forms.CharField(
        label=_("Reason, shown to the teacher"),
        max_length=4000,
        widget=CountedTextarea(attrs={"rows": 3}),
        help_text=_("For example: handled in class; here is a suggestion…"),
        error_messages={"required": _("Give the teacher a reason for declining.")},
    )


class CounselorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class AcceptForm(TriageActionForm):
    id_prefix = "accept"
    lead_counselor = CounselorChoiceField(label=_("Lead counselor"), queryset=None)
    message = forms.CharField(
        label=_("Message to the teacher (optional)"),
        max_length=4000,
        required=False,
        widget=CountedTextarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, school, joins_case=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_counselor"].queryset = selectors.school_counselors(school)
        if joins_case:
            # The referral joins the open case, which keeps its lead counselor.
            del self.fields["lead_counselor"]


class InputRequestForm(forms.Form):
    colleagues = forms.MultipleChoiceField(
        label=_("Ask these colleagues"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one colleague.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user, _subjects, _homeroom in candidates}
        self.fields["colleagues"].choices = [
            (str(user.pk), _describe(user, subjects, homeroom)) for user, subjects, homeroom in candidates
        ]

    def clean_colleagues(self):
        return [self.candidates[pk] for pk in self.cleaned_data["colleagues"]]


def _describe(user, subjects, homeroom):
    parts = [subjects] if subjects else []
    if homeroom:
        parts.append(str(_("homeroom teacher")))
    return f"{user.get_full_name()} · {', '.join(parts)}" if parts else user.get_full_name()


class InputAnswerForm(OnceForm, forms.Form):
    rating = forms.ChoiceField(
        label=_("How is this student doing in your class?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the student is doing.")},
    )
    note = forms.CharField(
        label=_("In one sentence"),
        max_length=300,
        error_messages={"required": _("Write one sentence about the student.")},
    )
