from django.core.management.base import BaseCommand

from motcua.notifications import services


class Command(BaseCommand):
    help = (
        "Try the notification deliveries whose retry is due (what Celery beat does every "
        "minute); run from cron where there is no beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000, help="at most this many")

    def handle(self, *args, limit, **options):
        self.stdout.write(f"Tried {services.deliver_due(limit=limit)} deliveries.")
