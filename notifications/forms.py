from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "whatsapp", "email_digest"]
        labels = {
            "email": _("Email me about new notifications"),
            "whatsapp": _("Send me WhatsApp messages"),
            "email_digest": _("One email in the morning with everything new, instead of an email each time"),
        }

    def __init__(self, *args, whatsapp_enabled=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not whatsapp_enabled:
            # Nothing to choose while the school sends no WhatsApp messages.
            del self.fields["whatsapp"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_digest") and not cleaned.get("email"):
            self.add_error("email_digest", _("The daily summary is an email: turn on email to receive it."))
        return cleaned
