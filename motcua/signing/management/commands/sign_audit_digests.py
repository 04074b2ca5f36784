from django.core.management.base import BaseCommand, CommandError

from motcua.signing import audit


class Command(BaseCommand):
    help = (
        "Sign the audit's daily digest with the system's key (SIGNING_DIR/default.key) for "
        "every day since the last signed one, up to yesterday (what Celery beat does nightly)."
    )

    def handle(self, *args, **options):
        try:
            signed = audit.sign_due_days()
        except audit.DigestUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if signed:
            days = ", ".join(d.day.isoformat() for d in signed)
            self.stdout.write(f"Signed the audit digest of {days}.")
        else:
            self.stdout.write("Nothing to sign: yesterday's digest is signed already.")
