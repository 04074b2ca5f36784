from django.core.management.base import BaseCommand

from motcua.proactive import items
from motcua.results.models import ResultDocument

BATCH = 500


class Command(BaseCommand):
    help = (
        "Write the due items (what falls due: badges, licences) of every result issued so "
        "far; idempotent. Results issued later are indexed as they are issued."
    )

    def handle(self, *args, **options):
        done = written = 0
        after = 0
        results = ResultDocument.objects.select_related("dossier__procedure").order_by("pk")
        while batch := list(results.filter(pk__gt=after)[:BATCH]):
            for result in batch:
                written += len(items.index_result(result))
            done += len(batch)
            after = batch[-1].pk
        self.stdout.write(f"Indexed {done} results: {written} due items.")
