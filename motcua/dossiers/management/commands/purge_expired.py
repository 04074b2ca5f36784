"""manage.py purge_expired [--dry-run] [--before YYYY-MM-DD] [--batch N] (decision 0058)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.retention import expired_dossiers, purge_expired


class Command(BaseCommand):
    help = "Remove the personal data and files of dossiers past their retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--before", help="Reference day YYYY-MM-DD (default today): ended N years before it."
        )
        parser.add_argument("--batch", type=int, default=None, help="Dossiers per transaction.")

    def handle(self, *args, dry_run=False, before=None, batch=None, **options):
        try:
            day = date.fromisoformat(before) if before else None
        except ValueError as exc:
            raise CommandError(f"--before: expected YYYY-MM-DD, got {before!r}") from exc
        if batch is not None and batch < 1:
            raise CommandError("--batch must be at least 1")
        if dry_run:
            count = expired_dossiers(before=day).count()
            self.stdout.write(f"{count} dossier(s) past retention; nothing changed (dry run).")
            return
        report = purge_expired(before=day, batch=batch)
        self.stdout.write(
            f"{report.purged} of {report.found} dossier(s) purged; "
            f"{report.files_deleted} file(s) deleted; {report.counts}"
        )
        for failure in report.failures:
            self.stderr.write(
                f"Batch from dossier id {failure['first_id']} failed in "
                f"{', '.join(failure['failed'])}: rolled back there, retried next run."
            )
        if report.failures:
            raise CommandError(f"{len(report.failures)} batch(es) failed.")
