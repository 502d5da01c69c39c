"""Build the demo school (and more for load tests).

Used by `make run` on an empty database, by docs and by tests. Safe to run
twice: what exists is left alone.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.roster import DEMO_PASSWORD, seed_school

# The demo data of each app, in order; each exposes seed(school) and must
# itself be idempotent.
APP_SEEDERS = [
    "demo.timetable",
    "demo.referrals",
    "demo.casework",
    "demo.library",
    "demo.forums",
    "demo.notifications",
    "demo.audit",
    "demo.schooldata",
]


class Command(BaseCommand):
    help = "Create the demo school with fixed sign-ins (password demo1234)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Number of schools to create (default 1).")
        parser.add_argument(
            "--history", type=int, default=0, metavar="YEARS", help="Grow the first school to YEARS years of history."
        )
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, scale, force, history=0, **options):
        # `make run` serves the demo with DEBUG off (settings.DEMO): seeding is what it is for.
        if not settings.DEBUG and not settings.DEMO and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed demo data anyway.")
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if history < 0:
            raise CommandError("--history must be 0 or more.")
        created_count = 0
        for index in range(1, scale + 1):
            with transaction.atomic():
                school, created = seed_school(index)
                for module in APP_SEEDERS:
                    import_module(module).seed(school)
            created_count += created
        if history:
            with transaction.atomic():
                school = seed_school(1)[0]
                grown = import_module("demo.history").seed(school, history)
            self.stdout.write(f"History: {grown} referrals over {history} year(s) added to {school.name}.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created_count} new school(s), {scale} in all."))
        self.stdout.write(
            f"Sign in at {settings.SITE_URL} as teacher, homeroom, counselor, counselor2, vp or admin "
            f"(password {DEMO_PASSWORD})."
        )
