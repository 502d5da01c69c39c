"""Anonymise the records of students who left school, after the retention period.

Celery beat runs this daily (privacy.tasks.apply_retention). Run it by hand
with --dry-run to see which students are due and what they hold, without
changing anything. The period is RETENTION_YEARS_AFTER_LEAVING (README,
"Data protection"); privacy.services says what is kept and what is removed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy import services
from roster.models import School


class Command(BaseCommand):
    help = "Anonymise the records of students who left school, after the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be done; change nothing.")
        parser.add_argument("--school", metavar="NPSN", help="Only this school (its 8-digit NPSN).")

    def handle(self, *args, dry_run=False, school=None, **options):
        if school is not None:
            npsn = school
            school = School.objects.filter(npsn=npsn).first()
            if school is None:
                raise CommandError(_("No school has the NPSN %(npsn)s.") % {"npsn": npsn})
        cutoff = services.retention_cutoff()
        self.stdout.write(
            _("Students who left school and whose records were last active before %(date)s.")
            % {"date": cutoff.isoformat()}
        )
        items = services.retention_apply(dry_run=dry_run, school=school)
        template = (
            _(
                "Would anonymise student #%(id)s (%(classroom)s), last active %(date)s: %(referrals)s referrals, "
                "%(cases)s cases, %(notes)s confidential notes, %(attachments)s attachments."
            )
            if dry_run
            else _(
                "Anonymised student #%(id)s (%(classroom)s), last active %(date)s: %(referrals)s referrals, "
                "%(cases)s cases, %(notes)s confidential notes deleted, %(attachments)s attachments deleted."
            )
        )
        for item in items:
            self.stdout.write(
                template
                % {
                    "id": item.student_id,
                    "classroom": item.classroom or "-",
                    "date": item.last_active.isoformat(),
                    "referrals": item.referrals,
                    "cases": item.cases,
                    "notes": item.confidential_notes,
                    "attachments": item.attachments,
                }
            )
        count = len(items)
        if dry_run:
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d student would be anonymised. Nothing was changed.",
                    "Dry run: %(count)d students would be anonymised. Nothing was changed.",
                    count,
                )
                % {"count": count}
            )
        else:
            self.stdout.write(
                ngettext("%(count)d student anonymised.", "%(count)d students anonymised.", count) % {"count": count}
            )
