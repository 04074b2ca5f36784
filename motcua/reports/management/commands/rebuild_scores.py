from django.core.management.base import BaseCommand

from motcua.reports.scoring import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the internal scores (Circular 01/2018) of every resolved dossier, in "
        "batches (decision 0061). Run rebuild_facts first: it reads which dossiers are resolved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        count = rebuild(batch_size=batch_size)
        self.stdout.write(f"{count} dossiers scored.")
