"""accounts.once: spent form tokens are purged after a week, by beat."""

import datetime

import pytest
from django.utils import timezone

import accounts.tasks  # noqa: F401  (registers the task)
from accounts.models import FormSubmission
from accounts.once import KEEP, form_submissions_purge
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_tokens_older_than_a_week_are_purged(world):
    old = FormSubmission.objects.create(token="a" * 32, school=world.school, user=world.teacher, digest="x")
    fresh = FormSubmission.objects.create(token="b" * 32, school=world.school, user=world.teacher, digest="x")
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - KEEP - datetime.timedelta(hours=1))
    assert form_submissions_purge() == 1
    assert list(FormSubmission.objects.all()) == [fresh]


def test_beat_purges_the_tokens(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.purge_form_tokens" in tasks
    assert celery_app.tasks["accounts.tasks.purge_form_tokens"]
