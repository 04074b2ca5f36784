from django.core.management.base import BaseCommand, CommandError

from motcua.core import chain
from motcua.signing import audit


class Command(BaseCommand):
    help = (
        "Walk the audit's hash chains and the signed daily digests; report every changed, "
        "deleted, inserted or reordered row with its table, id and date. Exits non-zero on "
        "any problem."
    )

    def handle(self, *args, **options):
        problems = []
        summary = []
        with chain.snapshot():
            for model in chain.chained_models():
                report, found = chain.verify(model)
                problems += found
                summary.append(f"{report.table} {report.rows} rows in {report.chains} chains")
            digests, found = audit.verify_digests()
            problems += found
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The audit does not verify: {len(problems)} problem(s).")
        signed = f"{len(digests)} signed digest(s)"
        if digests:
            signed += f", the last for {digests[-1].day.isoformat()}"
        self.stdout.write(f"Audit verified: {'; '.join(summary)}; {signed}.")
