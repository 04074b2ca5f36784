from django.core.management.base import BaseCommand

from motcua.reports.facts import rebuild


class Command(BaseCommand):
    help = "Recompute the statistics facts of every submitted dossier, in batches (decision 0056)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        count = rebuild(batch_size=batch_size)
        self.stdout.write(f"{count} facts recomputed.")
