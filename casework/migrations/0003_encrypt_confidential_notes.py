"""Confidential notes become encrypted (common.crypto.EncryptedTextField).

The column stays a text column; its existing rows are encrypted with the
newest key of FIELD_ENCRYPTION_KEYS. Reversible: going back decrypts them.
Rows are read and written with plain SQL, because the historical model's
field would already try to decrypt the plain text.
"""

from django.db import migrations

import common.crypto

TABLE = "casework_confidentialnote"


def _rewrite(schema_editor, convert):
    connection = schema_editor.connection
    table, body, pk = (connection.ops.quote_name(name) for name in (TABLE, "body", "id"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {body} FROM {table}")  # noqa: S608 (quoted names only)
        rows = cursor.fetchall()
        for row_id, value in rows:
            new = convert(value)
            if new != value:
                cursor.execute(f"UPDATE {table} SET {body} = %s WHERE {pk} = %s", [new, row_id])  # noqa: S608


def encrypt_notes(apps, schema_editor):
    # Rows that already hold a token (a re-run) are left alone.
    _rewrite(
        schema_editor,
        lambda value: value if value is None or common.crypto.is_token(value) else common.crypto.encrypt(value),
    )


def decrypt_notes(apps, schema_editor):
    _rewrite(
        schema_editor,
        lambda value: common.crypto.decrypt(value) if value and common.crypto.is_token(value) else value,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_case_record"),
    ]

    operations = [
        migrations.AlterField(
            model_name="confidentialnote",
            name="body",
            field=common.crypto.EncryptedTextField(verbose_name="note"),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes),
    ]
