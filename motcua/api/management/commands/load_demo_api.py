"""A demo API client for the Huế Department of Construction (make demo), so that an
integrator trying the demo can get a token and call every operation at /api/docs/."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from oauth2_provider.models import Application

from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES
from motcua.catalogue.models import Agency
from motcua.workflow.management.commands.load_demo import DEMO_PASSWORD

CLIENT_ID = "demo-hue"
AGENCY = "000.00.18.H56"


class Command(BaseCommand):
    help = "Create the demo API client (idempotent; only with DEMO_MODE or DEBUG)."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE or settings.DEBUG):
            raise CommandError("The demo API client is only for a demo (DEMO_MODE=true).")
        agency = Agency.objects.get(identifier=AGENCY)
        application = Application.objects.filter(client_id=CLIENT_ID).first()
        if application is None:
            application = Application.objects.create(
                client_id=CLIENT_ID,
                client_secret=DEMO_PASSWORD,
                name="Hệ thống một cửa của Sở (demo)",
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            )
        ApiClient.objects.update_or_create(
            application=application,
            defaults={
                "agency": agency,
                "name": application.name,
                "scopes": list(SCOPES),
                "is_active": True,
            },
        )
        self.stdout.write(
            f"  API (/api/docs/): client_id {CLIENT_ID}, client_secret {DEMO_PASSWORD}, "
            f"{agency.name}, every scope"
        )
