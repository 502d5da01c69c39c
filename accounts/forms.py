from django import forms
from django.contrib.auth import forms as auth_forms
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
    pass


class StyledSetPasswordForm(auth_forms.SetPasswordForm):
    pass


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "whatsapp", "language"]

    def clean_whatsapp(self):
        return normalize_phone(self.cleaned_data["whatsapp"])
