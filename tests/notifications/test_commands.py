"""The commands a cron runs where there is no broker (and so no beat)."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from casework.models import EvaluationEntry
from notifications import services
from notifications.models import Notification, NotificationKind, NotificationPreference
from tests.casework.factories import accepted_case


def _call(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_send_reminders(world, mailoutbox, django_capture_on_commit_callbacks):
    case = accepted_case(world)
    EvaluationEntry.objects.create(
        case=case,
        author=world.teacher,
        date=timezone.localdate() - datetime.timedelta(days=7),
        next_follow_up=timezone.localdate() + datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _call("send_reminders") == "1 follow-up reminders, 0 waiting-referral reminders.\n"
    assert list(
        Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).values_list("recipient", flat=True)
    ) == [world.teacher.pk]
    assert [m.to for m in mailoutbox] == [[world.teacher.email]]
    # Twice a day creates nothing new.
    _call("send_reminders")
    assert Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).count() == 1


def test_send_digests(world, mailoutbox):
    NotificationPreference.objects.create(user=world.teacher, email_digest=True)
    services.notify(
        school=world.school, recipients=[world.teacher], kind=NotificationKind.ADDED_TO_TEAM, url="/cases/1/"
    )
    assert mailoutbox == []
    assert _call("send_digests") == "1 digests enqueued.\n"
    assert [m.to for m in mailoutbox] == [[world.teacher.email]]
    assert "1 new notification" in mailoutbox[0].subject
    # Once a day.
    assert _call("send_digests") == "0 digests enqueued.\n"
    assert len(mailoutbox) == 1
