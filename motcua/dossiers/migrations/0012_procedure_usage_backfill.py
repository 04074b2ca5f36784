"""Count the last 90 days' submissions into catalogue.ProcedureUsage, which the catalogue's
home page reads from now on (kept by a subscriber of DossierSubmitted after this)."""

from datetime import timedelta

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    ProcedureUsage = apps.get_model("catalogue", "ProcedureUsage")
    since = timezone.now() - timedelta(days=91)
    rows = (
        Dossier.objects.filter(submitted_at__gte=since)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("procedure_id", "day")
        .annotate(n=Count("id"))
    )
    ProcedureUsage.objects.bulk_create(
        [
            ProcedureUsage(procedure_id=r["procedure_id"], day=r["day"], submissions=r["n"])
            for r in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0011_dossieraccess"),
        ("catalogue", "0005_procedure_usage"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
