"""A second installation for the liên thông test (tests/two_installations): its schema, one
agency with the standard organisation and the procedure, the origin as a Peer and an API
client, and the agency's own system as a second client (dossiers:read, actions:write) that
the test uses as that agency's software would. DEBUG only: it makes known secrets."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from oauth2_provider.models import Application

from motcua.api.models import ApiClient, Peer


class Command(BaseCommand):
    help = "Seed a peer installation for the two-installation test (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="the agency's identifier")
        parser.add_argument("--procedure", required=True, help="the procedure's code")
        parser.add_argument("--origin-url", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--key-env", required=True, help="variable of the shared key")
        parser.add_argument("--system-client-id", required=True, help="the agency's own system")
        parser.add_argument("--system-client-secret", required=True)
        parser.add_argument("--migrate", action="store_true")

    def handle(self, *args, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("seed_peer_for_tests runs only with DEBUG=true.")
        # factory_boy is a development dependency: imported only here.
        from motcua.factories import (
            AgencyFactory,
            ComponentFactory,
            ProcedureFactory,
            make_organisation,
        )

        if options["migrate"]:
            call_command("migrate", verbosity=0)
        agency = AgencyFactory(identifier=options["agency"], name="Công an tỉnh (hệ thống B)")
        procedure = ProcedureFactory(code=options["procedure"], agency=agency)
        ComponentFactory(procedure=procedure, name="Giấy đề nghị", paper_form="original")
        org = make_organisation(procedure)
        client = self.client(
            agency,
            "MotCua tỉnh A",
            options["client_id"],
            options["client_secret"],
            ["handovers:write", "results:read", "dossiers:read"],
        )
        self.client(
            agency,
            "Phần mềm một cửa của Công an tỉnh",
            options["system_client_id"],
            options["system_client_secret"],
            ["dossiers:read", "actions:write"],
        )
        Peer.objects.create(
            name="MotCua tỉnh A",
            base_url=options["origin_url"],
            client_id="",
            client_secret_env="",
            signing_key_env=options["key_env"],
            inbound_client=client,
        )
        officers = {
            role: getattr(org, role).email
            for role in ("desk_officer", "specialist", "head", "leader")
        }
        self.stdout.write(json.dumps({"agency": agency.pk, "officers": officers}))

    @staticmethod
    def client(agency, name, client_id, secret, scopes) -> ApiClient:
        application = Application.objects.create(
            name=name,
            client_id=client_id,
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )
        return ApiClient.objects.create(
            application=application, agency=agency, name=name, scopes=scopes
        )
