from django.core.management.base import BaseCommand

from motcua.proactive import items
from motcua.results.models import ResultDocument


class Command(BaseCommand):
    help = (
        "Write the due items (what falls due: badges, licences) of every result issued so "
        "far; idempotent. Results issued later are indexed as they are issued."
    )

    def handle(self, *args, **options):
        done, written = items.index_results(ResultDocument.objects.all())
        self.stdout.write(f"Indexed {done} results: {written} due items.")
