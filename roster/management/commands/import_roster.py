"""Import a roster file from the command line: for district operators who
load many schools, and for the first setup of a school before anyone can sign
in. The same checks and the same all-or-nothing transaction as the web page
(roster.importing); --dry-run shows what would happen and saves nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roster.importing import ColumnKind, roster_import_commit, roster_import_preview
from roster.models import School


class Command(BaseCommand):
    help = "Import students, staff accounts, classes or teaching assignments from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--school", required=True, metavar="NPSN", help="The school's NPSN (8 digits).")
        parser.add_argument(
            "--kind", choices=ColumnKind.values, help="What the file contains (default: detected from its columns)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show what would change.")

    def handle(self, *args, file, school, kind, dry_run, **options):
        found = School.objects.filter(npsn=school.strip()).first()
        if found is None:
            raise CommandError(_("No school has the NPSN %(npsn)s.") % {"npsn": school})
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}) from None

        result, table = roster_import_preview(school=found, data=data, kind=kind)
        if table is not None and result.ok:
            result = roster_import_commit(school=found, table=table, dry_run=dry_run)
        if result.kind:
            self.stdout.write(
                _("%(kind)s, header on row %(row)s.") % {"kind": result.kind_label, "row": result.header_row}
            )
        if options["verbosity"] >= 2:
            for row in result.rows:
                if not row.errors:
                    line = " ".join([str(row.number) + ":", str(row.action_label), row.key, row.name, *row.details])
                    self.stdout.write("  " + " ".join(line.split()))
        if not result.ok:
            for error in result.errors:
                where = _("Row %(row)s") % {"row": error.row} if error.row else _("File")
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            count = len(result.errors)
            raise CommandError(
                ngettext(
                    "%(count)d problem found: nothing was imported.",
                    "%(count)d problems found: nothing was imported.",
                    count,
                )
                % {"count": count}
            )
        counts = result.counts
        summary = _("%(created)d new, %(updated)d changed, %(unchanged)d unchanged.") % counts
        for note in result.notes:
            self.stdout.write(note)
        if result.committed:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s") % {"summary": summary}))
        else:
            self.stdout.write(self.style.WARNING(_("Dry run, nothing was saved: %(summary)s") % {"summary": summary}))
