from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.catalogue.models import Agency
from motcua.signing import pki


class Command(BaseCommand):
    help = (
        "Create the demo signing keys in SIGNING_DIR: the root CA “MotCua Demo CA” and one "
        "key and certificate per agency (kept when the files exist). For demonstrations only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key-type", choices=pki.KEY_TYPES, default="rsa2048")
        parser.add_argument("--dir", help="Directory to write to (default: SIGNING_DIR).")

    def handle(self, *args, key_type, dir=None, **options):
        directory = Path(dir or settings.SIGNING_DIR)
        passphrase = settings.SIGNING_KEY_PASSPHRASE.encode() or None
        written = pki.create_pki(
            directory,
            Agency.objects.order_by("identifier"),
            key_type=key_type,
            passphrase=passphrase,
        )
        if written:
            self.stdout.write(f"{directory}: wrote {len(written)} key(s): {', '.join(written)}")
        else:
            self.stdout.write(f"{directory}: keys already present, nothing to do.")
