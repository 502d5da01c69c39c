"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS.

Key rotation, as in the README: put a new key first in FIELD_ENCRYPTION_KEYS
(keep the old ones after it), restart the app, run this command, then remove
the old keys. ``--new-key`` prints a fresh key; ``--dry-run`` only counts.
Rows are rewritten with a conditional UPDATE (unchanged since read), in
batches, each in its own transaction.
"""

from django.core.management.base import BaseCommand
from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from common import crypto

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt confidential data with the newest key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; change nothing.")
        parser.add_argument("--new-key", action="store_true", help="Print a newly generated key and stop.")

    def handle(self, *args, dry_run=False, new_key=False, **options):
        if new_key:
            self.stdout.write(crypto.generate_key())
            return
        for model, field in crypto.encrypted_fields():
            rotated, current = self._rotate(model, field, dry_run=dry_run)
            label = f"{model._meta.label}.{field.name}"
            message = (
                _("%(field)s: %(rotated)d to re-encrypt, %(current)d already with the newest key.")
                if dry_run
                else _("%(field)s: %(rotated)d re-encrypted, %(current)d already with the newest key.")
            )
            self.stdout.write(message % {"field": label, "rotated": rotated, "current": current})

    def _rotate(self, model, field, *, dry_run):
        alias = router.db_for_write(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
        rotated = current = 0
        last_pk = None
        while True:
            # Raw tokens: the field would decrypt them.
            where, params = ("", []) if last_pk is None else (f"WHERE {pk} > %s", [last_pk])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                    params,
                )
                rows = cursor.fetchall()
            if not rows:
                return rotated, current
            last_pk = rows[-1][0]
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                for row_pk, token in rows:
                    if token is None or crypto.is_token_of_newest_key(token):
                        current += 1
                        continue
                    rotated += 1
                    if not dry_run:
                        cursor.execute(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                            [crypto.rotate(token), row_pk, token],
                        )
