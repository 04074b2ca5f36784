from django.core.management.base import BaseCommand, CommandError

from motcua.core import roles


class Command(BaseCommand):
    help = (
        "Give the application's PostgreSQL role exactly its privileges: SELECT and INSERT on "
        "the append-only tables (audit, dossier events...), SELECT, INSERT, UPDATE and DELETE "
        "on the others, USAGE on the sequences; nothing else. Run as the tables' owner after "
        "every migrate (docs/production.md, Database roles)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="the role the application logs in as")

    def handle(self, *args, role, **options):
        try:
            granted = roles.grant_app_role(role)
        except roles.RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{role}: insert and read only on {len(granted['append-only'])} append-only "
            f"tables, read and write on {len(granted['read-write'])}, read only on "
            f"{len(granted['read-only'])}."
        )
