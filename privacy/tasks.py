"""Celery tasks: thin wrappers around privacy.services."""

from celery import shared_task

from privacy import services


@shared_task(ignore_result=True)
def apply_retention():
    """Daily (beat): anonymise the records of students who left school after
    the retention period. Returns how many students were anonymised."""
    return len(services.retention_apply(dry_run=False))
