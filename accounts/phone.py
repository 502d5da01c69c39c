"""WhatsApp numbers: accept what teachers type (0812…, +62 812…, 62812…) and
store E.164 (+62812…)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "ID"


def normalize_phone(value: str) -> str:
    """Return the number in E.164, or raise ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a phone number such as 0812 3456 7890 or +62 812 3456 7890."), code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid phone number."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalize_phone(value)
