from django.core.management.base import BaseCommand

from motcua.api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Try the webhook deliveries whose next try is due (cron, without Celery beat)."

    def handle(self, *args, **options):
        delivered = deliver_due(limit=10_000)
        self.stdout.write(f"{delivered} delivered")
