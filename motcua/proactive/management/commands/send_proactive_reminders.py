from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from motcua.proactive import job


class Command(BaseCommand):
    help = (
        "Remind people of what falls due (badges, licences) under the active reminder rules, "
        "once per rule and occasion (what Celery beat does daily); run from cron where there "
        "is no beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for, dd/mm/yyyy (default: today)")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.strptime(today, "%d/%m/%Y").date()
            except ValueError:
                raise CommandError("--today must be a date as dd/mm/yyyy.") from None
        counts = job.send_reminders(today=day)
        self.stdout.write(", ".join(f"{key}={value}" for key, value in counts.items()))
