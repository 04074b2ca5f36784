from django.core.management.base import BaseCommand

from motcua.dossiers import expiry


class Command(BaseCommand):
    help = (
        "Remind applicants of drafts about to expire, then delete the expired drafts and their "
        "files (what Celery beat does daily); run from cron where there is no beat."
    )

    def handle(self, *args, **options):
        counts = expiry.run()
        self.stdout.write(
            f"Reminded {counts['reminded']} drafts; deleted {counts['deleted']} expired drafts."
        )
