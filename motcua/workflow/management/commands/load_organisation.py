from django.core.management.base import BaseCommand

from motcua.workflow.services import load_organisation


class Command(BaseCommand):
    help = "Create the demo agencies' units and the reference procedures' workflows (idempotent)."

    def handle(self, *args, **options):
        counts = load_organisation()
        self.stdout.write(f"Units: {counts['units']}, workflows: {counts['workflows']}.")
