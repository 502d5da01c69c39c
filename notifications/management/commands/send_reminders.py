"""Create the morning's reminders: follow-ups due tomorrow or overdue,
referrals waiting for triage.

Celery beat runs the same job every morning. Without a broker (`make run`)
nothing is scheduled, so run this from cron once a morning:
`python manage.py send_reminders`. Running it twice a day creates nothing new.
"""

from django.core.management.base import BaseCommand

from notifications import reminders


class Command(BaseCommand):
    help = "Create today's reminders (follow-ups due or overdue, referrals waiting for triage)."

    def handle(self, *args, **options):
        counts = reminders.send_reminders()
        self.stdout.write(
            f"{counts['follow_ups']} follow-up reminders, {counts['waiting_referrals']} waiting-referral reminders."
        )
