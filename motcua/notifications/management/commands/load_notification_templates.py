from django.core.management.base import BaseCommand

from motcua.notifications.loading import load_defaults
from motcua.notifications.models import NotificationTemplate


class Command(BaseCommand):
    help = "Add the shipped Vietnamese and English wording of every kind without a template."

    def handle(self, *args, **options):
        self.stdout.write(f"Added {load_defaults(NotificationTemplate)} notification templates.")
