from django.core.management.base import BaseCommand

from motcua.feedback.petitions import escalate_late_petitions


class Command(BaseCommand):
    help = "Escalate petitions past a stage's deadline to the agency's heads, once per stage."

    def handle(self, *args, **options):
        count = escalate_late_petitions()
        self.stdout.write(f"Escalated {count} late petition stage(s).")
