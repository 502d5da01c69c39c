"""A notification's meeting becomes a generic attachment reference ("meeting:12"),
resolved through notifications.attachments, so notifications has no foreign key
into casework."""

from django.db import migrations, models


def meeting_to_attachment(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for pk, meeting_id in Notification.objects.filter(meeting__isnull=False).values_list("pk", "meeting_id").iterator():
        Notification.objects.filter(pk=pk).update(attachment=f"meeting:{meeting_id}")


def attachment_to_meeting(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Meeting = apps.get_model("casework", "Meeting")
    for pk, attachment in Notification.objects.filter(attachment__startswith="meeting:").values_list("pk", "attachment"):
        meeting_id = int(attachment.partition(":")[2])
        if Meeting.objects.filter(pk=meeting_id).exists():
            Notification.objects.filter(pk=pk).update(meeting_id=meeting_id)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_digest_state_meeting_removed"),
        ("casework", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="attachment",
            field=models.CharField(blank=True, default="", editable=False, max_length=50, verbose_name="attachment"),
        ),
        migrations.RunPython(meeting_to_attachment, attachment_to_meeting),
        migrations.RemoveField(
            model_name="notification",
            name="meeting",
        ),
    ]
