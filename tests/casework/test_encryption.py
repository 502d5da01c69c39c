"""Confidential notes are encrypted in the database (common.crypto): the
column, a dump and a backup hold only Fernet tokens; keys rotate."""

import importlib
import io
import os
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from casework.models import ConfidentialNote
from common import crypto
from tests.casework.factories import accepted_case
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-ENCRYPTED-NOTE-4c2d"
migration = importlib.import_module("casework.migrations.0003_encrypt_confidential_notes")


def raw_body(note):
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM casework_confidentialnote WHERE id = %s", [note.pk])
        return cursor.fetchone()[0]


def set_raw_body(note, value):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE casework_confidentialnote SET body = %s WHERE id = %s", [value, note.pk])


@pytest.fixture
def note(world):
    case = accepted_case(world)
    return ConfidentialNote.objects.create(case=case, author=world.counselor, body=f"At home: {SENTINEL} — ünïcode")


def test_the_column_holds_no_plain_text(note):
    stored = raw_body(note)
    assert SENTINEL not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert ConfidentialNote.objects.get(pk=note.pk).body == f"At home: {SENTINEL} — ünïcode"


def test_the_same_text_is_stored_differently_each_time(world, note):
    again = ConfidentialNote.objects.create(case=note.case, author=world.counselor, body=note.body)
    assert raw_body(again) != raw_body(note)


def test_notes_written_through_the_page_are_encrypted(world, login, note):
    client = login(world.counselor)
    client.post(reverse("casework:note_add", args=[note.case.pk]), {"body": "Second note: SENTINEL-PAGE"})
    saved = ConfidentialNote.objects.exclude(pk=note.pk).get()
    assert "SENTINEL-PAGE" not in raw_body(saved)
    assert "SENTINEL-PAGE" in client.get(reverse("casework:detail", args=[note.case.pk])).text


def test_bulk_created_notes_are_encrypted_too(world, note):
    (bulk,) = ConfidentialNote.objects.bulk_create(
        [ConfidentialNote(case=note.case, author=world.counselor, body=SENTINEL)]
    )
    assert SENTINEL not in raw_body(bulk)
    assert ConfidentialNote.objects.get(pk=bulk.pk).body == SENTINEL


def test_the_text_cannot_be_searched(note):
    # A random IV makes every token different: a search could only ever
    # find nothing, so it is refused.
    with pytest.raises(FieldError):
        list(ConfidentialNote.objects.filter(body__contains=SENTINEL))
    with pytest.raises(FieldError):
        list(ConfidentialNote.objects.filter(body=note.body))
    assert ConfidentialNote.objects.filter(body__isnull=False).count() == 1


# Keys and rotation ------------------------------------------------------------


def test_rotation(world, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    note = ConfidentialNote.objects.create(case=accepted_case(world), author=world.counselor, body=SENTINEL)
    token = raw_body(note)
    assert Fernet(old).decrypt(token.encode()).decode() == SENTINEL

    # A new key goes first; the old key still decrypts what it wrote.
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert ConfidentialNote.objects.get(pk=note.pk).body == SENTINEL

    call_command("rotate_encryption_keys", "--dry-run", stdout=(out := io.StringIO()))
    assert "casework.ConfidentialNote.body: 1 to re-encrypt, 0 already with the newest key." in out.getvalue()
    assert raw_body(note) == token

    call_command("rotate_encryption_keys", stdout=(out := io.StringIO()))
    assert "casework.ConfidentialNote.body: 1 re-encrypted, 0 already with the newest key." in out.getvalue()
    rotated = raw_body(note)
    assert rotated != token
    assert Fernet(new).decrypt(rotated.encode()).decode() == SENTINEL

    # After rotating, the old key can go.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert ConfidentialNote.objects.get(pk=note.pk).body == SENTINEL
    call_command("rotate_encryption_keys", stdout=(out := io.StringIO()))
    assert "0 re-encrypted, 1 already with the newest key." in out.getvalue()

    # Without the key that wrote it, a note cannot be read at all.
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(crypto.DecryptionError):
        ConfidentialNote.objects.get(pk=note.pk)


def test_new_key_prints_a_usable_key():
    call_command("rotate_encryption_keys", "--new-key", stdout=(out := io.StringIO()))
    Fernet(out.getvalue().strip())  # raises if not a Fernet key


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 1 is not a Fernet key"):
        crypto.encrypt("x")
    from privacy.checks import field_encryption_keys

    assert [error.id for error in field_encryption_keys(None)] == ["privacy.E001"]


def test_the_development_key_is_refused_by_the_deploy_check(settings):
    from privacy.checks import no_development_key_in_production

    if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
        # Without a key, development and tests use the (public) development key.
        assert settings.FIELD_ENCRYPTION_KEYS == [crypto.INSECURE_DEVELOPMENT_KEY]
    settings.FIELD_ENCRYPTION_KEYS = [crypto.generate_key(), crypto.INSECURE_DEVELOPMENT_KEY]
    assert [error.id for error in no_development_key_in_production(None)] == ["privacy.E002"]
    settings.FIELD_ENCRYPTION_KEYS = [crypto.generate_key()]
    assert no_development_key_in_production(None) == []


# The migration ------------------------------------------------------------------


def test_the_migration_encrypts_existing_notes_and_back(note):
    editor = SimpleNamespace(connection=connection)
    set_raw_body(note, f"Plain old note {SENTINEL}")  # as before the migration

    migration.encrypt_notes(None, editor)
    encrypted = raw_body(note)
    assert SENTINEL not in encrypted
    assert ConfidentialNote.objects.get(pk=note.pk).body == f"Plain old note {SENTINEL}"

    migration.encrypt_notes(None, editor)  # running it again changes nothing
    assert raw_body(note) == encrypted

    migration.decrypt_notes(None, editor)
    assert raw_body(note) == f"Plain old note {SENTINEL}"


# PostgreSQL: a plain-text dump holds no note text ----------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_plain_text_pg_dump_holds_no_note_text(world, login):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: CI's PostgreSQL run covers it")
    if shutil.which("pg_dump") is None:
        require_service("pg_dump")
    with transaction.atomic():
        case = accepted_case(world)
    case.summary = "SHARED-SUMMARY-VISIBLE-IN-DUMP"
    case.save(update_fields=["summary"])
    # Through the page, committed (transaction=True), as in real use.
    login(world.counselor).post(reverse("casework:note_add", args=[case.pk]), {"body": f"Family: {SENTINEL}"})
    assert ConfidentialNote.objects.get().body == f"Family: {SENTINEL}"

    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"] or "postgres"]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    result = subprocess.run([*command, db["NAME"]], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "SHARED-SUMMARY-VISIBLE-IN-DUMP" in result.stdout  # the dump has the data...
    assert SENTINEL not in result.stdout  # ...but not the note's text
