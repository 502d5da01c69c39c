"""Send the daily digests still due today.

Celery beat runs the same job every morning. Without a broker (`make run`)
nothing is scheduled, so run this from cron once a morning, after
send_reminders: `python manage.py send_digests`. A digest goes out at most
once a day, so running it again sends nothing twice.
"""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Enqueue (or, without a broker, send) the daily digests still due today."

    def handle(self, *args, **options):
        count = services.digests_enqueue()
        self.stdout.write(f"{count} digests enqueued.")
