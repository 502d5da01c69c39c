"""On PostgreSQL the database itself refuses to change or delete audit rows,
for the application's role too (a trigger, installed by a migration)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: CI's PostgreSQL run covers it")


@pytest.fixture
def event(world):
    return AuditEvent.objects.create(school=world.school, action=AuditAction.VIEW, object_type="case", object_id="1")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'delete' WHERE id = %s",
        "UPDATE audit_auditevent SET actor_username = 'someone-else' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(event, sql):
    with (
        pytest.raises(DatabaseError, match="audit events cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.action, row.actor_username) == ("view", "")


def test_inserts_still_work(event):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    AuditEvent.objects.create(action=AuditAction.LOGIN, actor_username=role)
    assert AuditEvent.objects.count() == 2
