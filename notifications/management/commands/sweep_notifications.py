"""Send deliveries that are still pending.

Celery beat runs the same sweep every minute. This command is for
installations without a broker (tasks run in-process) or for an operator
after an outage: `python manage.py sweep_notifications`.
"""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Enqueue (or, without a broker, send) notification deliveries that are still pending."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=60, help="Only deliveries due this many seconds ago (default 60)."
        )

    def handle(self, *args, older_than, **options):
        count = services.sweep(older_than_seconds=older_than)
        self.stdout.write(f"{count} pending deliveries enqueued.")
