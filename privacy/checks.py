"""System checks for the data-protection settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from common import crypto


@register(Tags.security)
def field_encryption_keys(app_configs, **kwargs):
    """Every key in FIELD_ENCRYPTION_KEYS must be a valid Fernet key."""
    try:
        crypto.multi_fernet()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="privacy.E001")]
    return []


@register(Tags.security, deploy=True)
def no_development_key_in_production(app_configs, **kwargs):
    if crypto.INSECURE_DEVELOPMENT_KEY in settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS holds the public development key: anyone could read the confidential notes.",
                hint="Generate a key with `manage.py rotate_encryption_keys --new-key` and rotate.",
                id="privacy.E002",
            )
        ]
    return []
