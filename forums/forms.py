from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.once import OnceForm
from casework.forms import ObjectMultipleChoiceField
from forums.models import Forum


class ObjectChoiceField(forms.ChoiceField):
    def __init__(self, *, objects=(), describe=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        super().__init__(choices=[("", "—"), *((str(o.pk), describe(o)) for o in objects)], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(value) if value else None


def _person(user, roles=None):
    return " · ".join([user.get_full_name(), *sorted(str(r.label) for r in roles or ())])


class ForumSettingsForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = ["frequency", "duration_minutes", "place"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = staff or {}
        self.fields["duration_minutes"].min_value = 15
        self.fields["participants"] = ObjectMultipleChoiceField(
            objects=list(staff), describe=lambda u: _person(u, staff.get(u)), label=_("Participants")
        )
        if not self.is_bound and self.instance.pk:
            self.initial["participants"] = list(self.instance.participants.all())

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if value is not None and not 15 <= value <= 240:
            raise forms.ValidationError(_("Between 15 and 240 minutes."))
        return value


class SlotForm(OnceForm, forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), input_formats=["%Y-%m-%dT%H:%M"])


class ItemForm(forms.Form):
    title = forms.CharField(label=_("What would you like to discuss?"), max_length=300)

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"] = ObjectChoiceField(
            objects=list(cases),
            describe=lambda c: f"{c.number} · {c.student.full_name}",
            label=_("About a case (optional)"),
            required=False,
        )


class MinutesForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=8000
    )


class DecisionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("Decision: what will be done"), max_length=300)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"] = ObjectChoiceField(objects=list(people), describe=_person, label=_("Who"))
        self.order_fields(["item", "description", "responsible", "due_on"])

    def clean_responsible(self):
        value = self.cleaned_data["responsible"]
        if value is None:
            raise forms.ValidationError(_("Choose the one person responsible."))
        return value


class AttendanceForm(forms.Form):
    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"] = ObjectMultipleChoiceField(
            objects=list(attendees), describe=_person, label=_("Present"), required=False
        )
