"""Aggregates the dossiers keep for the layers below them: asynchronous subscribers run after
commit from the outbox (motcua.core.outbox)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from motcua.catalogue.models import ProcedureUsage
from motcua.core.events import DossierSubmitted
from motcua.core.outbox import subscriber
from motcua.dossiers.models import Dossier


@subscriber(DossierSubmitted, name="dossiers.count_procedure_usage")
def count_procedure_usage(event: DossierSubmitted) -> None:
    """Recount the day's submissions of the dossier's procedure (a recount, not an increment:
    delivered twice, it gives the same figure)."""
    dossier = Dossier.objects.only("procedure_id", "submitted_at").get(pk=event.dossier_id)
    day = timezone.localdate(dossier.submitted_at)
    start = timezone.make_aware(datetime.combine(day, time.min))
    count = Dossier.objects.filter(
        procedure_id=dossier.procedure_id,
        submitted_at__gte=start,
        submitted_at__lt=start + timedelta(days=1),
    ).count()
    ProcedureUsage.objects.update_or_create(
        procedure_id=dossier.procedure_id, day=day, defaults={"submissions": count}
    )
