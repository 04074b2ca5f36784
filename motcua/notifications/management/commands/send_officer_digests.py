from django.core.management.base import BaseCommand

from motcua.notifications.digest import send_officer_digests


class Command(BaseCommand):
    help = "Mail each unit's daily digest of dossiers due soon and overdue, once a day."

    def handle(self, *args, **options):
        count = send_officer_digests()
        self.stdout.write(f"Sent the digest of {count} unit(s).")
