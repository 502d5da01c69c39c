"""Encryption of confidential text in the database (Fernet, with key rotation).

Confidential case notes are stored as Fernet tokens (AES-128-CBC with an
HMAC-SHA256, a timestamp and a random IV), so a database dump, a backup or a
replica shows no note text. The keys come from settings.FIELD_ENCRYPTION_KEYS
(the environment variable of the same name, comma-separated, newest first):
the first key encrypts, every key decrypts. To rotate, put a new key first,
deploy, run ``manage.py rotate_encryption_keys``, then remove the old key.

The field only stores and reads: it cannot be searched or compared in SQL
(a random IV makes every token different), so any lookup but ``isnull`` is
refused instead of silently finding nothing.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Used only when DEBUG is on (development, tests) and no key is configured:
# derived from a public string, so it protects nothing. Never in production.
INSECURE_DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"sinergi-insecure-development-field-encryption-key").digest()
).decode()


class DecryptionError(RuntimeError):
    """A stored token could not be read with any configured key."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `manage.py rotate_encryption_keys --new-key`)."
            ) from error
    return MultiFernet(fernets)


def keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def multi_fernet() -> MultiFernet:
    """All configured keys: the first encrypts, any decrypts."""
    return _multi_fernet(keys())


def primary_fernet() -> MultiFernet:
    """The newest key alone."""
    return _multi_fernet(keys()[:1])


def encrypt(text: str) -> str:
    return multi_fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return multi_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError(
            "Stored text could not be decrypted: is the key it was written with still in FIELD_ENCRYPTION_KEYS?"
        ) from error


def is_token_of_newest_key(token: str) -> bool:
    try:
        primary_fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def is_token(value: str) -> bool:
    """True if ``value`` decrypts with one of the configured keys."""
    try:
        multi_fernet().decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate(token: str) -> str:
    """The same text, encrypted with the newest key."""
    try:
        return multi_fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError("Stored text could not be decrypted with any key of FIELD_ENCRYPTION_KEYS.") from error


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; decrypted when read from the database."""

    description = "Text encrypted with the keys of FIELD_ENCRYPTION_KEYS"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def get_lookup(self, lookup_name):
        # Tokens differ for the same text: only "is there a value" is meaningful.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, name):
        return None


def encrypted_fields():
    """(model, field) for every EncryptedTextField of the installed models."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field
