"""Dossiers past their procedure's retention period lose their personal data (decision 0058).

`expired_dossiers` finds them; `purge_expired` runs every app's purger (motcua/core/retention.py)
on them in batches and marks a dossier `purged_at` only once every app has purged it, so a
batch that failed anywhere is run again, whole, next time. The dossier row stays with its code,
procedure, agencies, dates and statuses (statistics), and so does the timeline (hash-chained).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.catalogue.models import Procedure
from motcua.core.audit import record_audit
from motcua.core.retention import purgers
from motcua.dossiers.models import (
    ENDED_STATUSES,
    Attachment,
    Dossier,
    DossierMessage,
    DossierMessageAttachment,
    ObtainedComponent,
)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def expired_dossiers(*, before: date | None = None):
    """Dossiers ended more than their procedure's retention period before `before` (today)."""
    before = before or timezone.localdate()
    default = settings.RETENTION_DEFAULT_YEARS
    condition = Q()
    for years in set(Procedure.objects.values_list("retention_years", flat=True)):
        cutoff = timezone.make_aware(
            datetime.combine(years_before(before, years or default), time())
        )
        same = (
            Q(procedure__retention_years=years)
            if years
            else Q(procedure__retention_years__isnull=True)
        )
        condition |= same & Q(ended__lt=cutoff)
    if not condition:
        return Dossier.objects.none()
    return (
        Dossier.objects.annotate(ended=Coalesce("returned_at", "finished_at"))
        .filter(status__in=ENDED_STATUSES, purged_at__isnull=True)
        .filter(condition)
        .order_by("id")
    )


@dataclass
class PurgeReport:
    found: int = 0
    purged: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)
    files_deleted: int = 0


def purge_expired(*, before: date | None = None, batch: int | None = None) -> PurgeReport:
    batch = batch or settings.RETENTION_BATCH
    ids = list(expired_dossiers(before=before).values_list("id", flat=True))
    report = PurgeReport(found=len(ids))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        outcome = purgers.run(chunk)
        report.files_deleted += outcome.files_deleted
        for key, value in outcome.counts.items():
            report.counts[key] = report.counts.get(key, 0) + value
        with transaction.atomic():
            if outcome.ok:
                Dossier.objects.filter(id__in=chunk).update(purged_at=timezone.now())
                report.purged += len(chunk)
            else:
                report.failures.append({"first_id": chunk[0], "failed": outcome.failed})
            # Ids and counts only: no personal data in the audit trail.
            record_audit(
                action="retention.purge" if outcome.ok else "retention.purge_failed",
                target=f"dossiers {chunk[0]}-{chunk[-1]}",
                dossier_ids=chunk,
                counts=outcome.counts,
                failed=outcome.failed,
                files_deleted=outcome.files_deleted,
            )
    return report


@purgers.register("dossiers", order=90)
def purge_dossiers(dossier_ids: list[int], files: list) -> dict[str, int]:
    """The application's answers, the applicant's snapshot, files and messages."""
    counts = {}
    counts["dossiers.obtained"] = ObtainedComponent.objects.filter(
        dossier_id__in=dossier_ids
    ).delete()[0]
    for model, key in (
        (Attachment, "dossiers.attachments"),
        (DossierMessageAttachment, "dossiers.message_files"),
    ):
        rows = list(model.objects.filter(dossier_id__in=dossier_ids))
        files.extend((row.file.storage, row.file.name) for row in rows)
        model.objects.filter(id__in=[row.id for row in rows]).delete()
        counts[key] = len(rows)
    counts["dossiers.messages"] = (
        DossierMessage.objects.filter(dossier_id__in=dossier_ids).exclude(text="").update(text="")
    )
    counts["dossiers.dossiers"] = Dossier.objects.filter(id__in=dossier_ids).update(
        form_data={},
        form_bytes=0,
        prefill_sources={},
        postal_address="",
        applicant_name="",
        applicant_phone="",
        applicant_id_number="",
        applicant_email="",
        search_text="",
    )
    return counts
