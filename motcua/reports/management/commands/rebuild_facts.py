from django.core.management.base import BaseCommand

from motcua.reports import aggregates
from motcua.reports.facts import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the statistics facts of every submitted dossier, in batches (decision "
        "0056), then rebuild the daily and monthly aggregates from them (decision 0060)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--aggregates-only",
            action="store_true",
            help="keep the facts; rebuild only the aggregates from them",
        )

    def handle(self, *args, batch_size, aggregates_only, **options):
        if not aggregates_only:
            with aggregates.paused():  # recounted all at once below
                count = rebuild(batch_size=batch_size)
            self.stdout.write(f"{count} facts recomputed.")
        rows = aggregates.rebuild()
        self.stdout.write(
            "Aggregates rebuilt: " + ", ".join(f"{name} {n}" for name, n in rows.items()) + "."
        )
