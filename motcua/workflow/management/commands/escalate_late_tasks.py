from django.core.management.base import BaseCommand

from motcua.workflow.services import escalate_late_tasks


class Command(BaseCommand):
    help = (
        "Escalate late joint-handling and consultation tasks to the desk's heads (run from cron)."
    )

    def handle(self, *args, **options):
        count = escalate_late_tasks()
        self.stdout.write(f"Escalated {count} late task(s).")
