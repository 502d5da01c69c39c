from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phone import normalize_phone


class SignInForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class StyledPasswordChangeForm(auth_forms.PasswordChangeForm):
    pass


class StyledPasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Active users with this email, including accounts created by the
        roster import, which start without a password and set their first one
        through this form (Django skips those by default)."""
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        """Each email in its recipient's saved language, not the language of
        whoever asked for the reset (the page itself stays in theirs)."""
        with translation.override(context["user"].language or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )


class StyledSetPasswordForm(auth_forms.SetPasswordForm):
    pass


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "whatsapp", "language"]

    def clean_whatsapp(self):
        return normalize_phone(self.cleaned_data["whatsapp"])


class TwoFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app (or, on the verify page, a
    recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}),
    )

    def __init__(self, *args, allow_recovery_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if allow_recovery_code:
            field.help_text = _("The 6-digit code from your authenticator app, or one of your recovery codes.")
        else:
            field.label = _("6-digit code from the app")
            field.widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not code.isalnum():
            raise forms.ValidationError(_("Type only the letters and digits of the code."))
        return code
