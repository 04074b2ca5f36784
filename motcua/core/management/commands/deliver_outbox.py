from django.core.management.base import BaseCommand

from motcua.core import outbox


class Command(BaseCommand):
    help = (
        "Deliver the domain events whose subscribers are still due (what Celery beat does "
        "every minute); run from cron where there is no beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000, help="at most this many events")
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="first put the events given up on back in the queue (after an outage)",
        )

    def handle(self, *args, limit, retry_failed, **options):
        if retry_failed:
            self.stdout.write(f"Requeued {outbox.retry_failed()} events given up on.")
        counts = outbox.deliver_due(limit=limit)
        self.stdout.write(
            f"Delivered {counts['delivered']} events; {counts['left']} left for a later try."
        )
