"""Celery tasks: thin wrappers around accounts' services."""

from celery import shared_task

from accounts.once import form_submissions_purge


@shared_task(ignore_result=True)
def purge_form_tokens():
    """Daily (beat): remove spent create-form tokens older than a week."""
    return form_submissions_purge()
