from django.core.management import call_command

from demo import notifications as demo
from notifications import services
from notifications.models import Delivery, NotificationKind, NotificationPreference


def test_demo_data_sends_no_email_and_shows_a_digest_user(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            school=world.school, recipients=[world.teacher], kind=NotificationKind.ADDED_TO_TEAM, url="/cases/1/"
        )
        demo.seed(world.school)
    assert not Delivery.objects.exists()
    assert mailoutbox == []
    assert NotificationPreference.objects.get().user == world.vp
    # Idempotent.
    demo.seed(world.school)
    assert NotificationPreference.objects.count() == 1


def test_the_sweep_command(world, mailoutbox):
    services.notify(
        school=world.school, recipients=[world.teacher], kind=NotificationKind.ADDED_TO_TEAM, url="/cases/1/"
    )
    call_command("sweep_notifications", "--older-than", "0")
    assert len(mailoutbox) == 1
