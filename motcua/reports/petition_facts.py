"""Petitions (phản ánh, kiến nghị) as facts, from their events only (reports may not read
feedback's tables): decision 0061. Each PetitionChanged or PetitionLate updates the
petition's fact; a petition about a dossier marks the dossier's fact `complained` (unless
every petition about it was rejected) and that dossier's scores are computed again.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from motcua.core.events import PetitionChanged, PetitionLate
from motcua.core.models import OutboxEvent
from motcua.core.outbox import current_event_id
from motcua.reports import aggregates
from motcua.reports.facts import agency_path
from motcua.reports.models import DossierFact, PetitionFact

# The stages whose lateness makes the handling late (publication is a later duty).
HANDLING_STAGES = frozenset({"reject", "info", "resolve"})


def event_time() -> datetime:
    """When the event being delivered was published (in the same transaction as the
    petition's change), not when it is delivered: a retried delivery changes nothing."""
    event_id = current_event_id()
    if event_id is not None:
        at = OutboxEvent.objects.filter(pk=event_id).values_list("created_at", flat=True).first()
        if at is not None:
            return at
    return timezone.now()


def _fact_changed(dossier_id: int) -> None:
    """The fact's complained flag changed: its days' aggregates are recounted (0060)."""
    aggregates.touch_facts(dossier_ids=[dossier_id])


def mark_complained(dossier_id: int) -> None:
    """The dossier's fact says whether a petition (not rejected) is about it."""
    complained = PetitionFact.objects.filter(dossier_id=dossier_id, rejected=False).exists()
    changed = (
        DossierFact.objects.filter(pk=dossier_id)
        .exclude(complained=complained)
        .update(complained=complained)
    )
    if changed:
        _fact_changed(dossier_id)


def record_petition_changed(event: PetitionChanged, *, at: datetime | None = None) -> PetitionFact:
    at = at or event_time()
    with transaction.atomic():
        fact, _ = PetitionFact.objects.select_for_update().get_or_create(
            petition_id=event.petition_id
        )
        earlier_dossier = fact.dossier_id
        if event.agency_id is not None and event.agency_id != fact.agency_id:
            fact.agency_id = event.agency_id
            fact.agency_path = agency_path(event.agency_id)
        if event.dossier_id is not None:
            fact.dossier_id = event.dossier_id
        if event.action == "filed":
            fact.filed_at = fact.filed_at or at
            fact.resolve_due_at = event.due_at
        elif event.action == "rejected":
            fact.rejected = True
        elif event.action == "info_requested" and fact.answered_at is None:
            fact.resolve_due_at = None  # the answer's clock stops until the filer answers
        elif event.action == "info_given" and fact.answered_at is None:
            fact.resolve_due_at = event.due_at
        elif event.action == "answered" and fact.answered_at is None:
            fact.answered_at = at
            if fact.resolve_due_at is not None and at > fact.resolve_due_at:
                fact.late = True
        fact.status = event.status
        fact.save()
    for dossier_id in {earlier_dossier, fact.dossier_id} - {None}:
        mark_complained(dossier_id)
    return fact


def record_petition_late(event: PetitionLate) -> PetitionFact:
    with transaction.atomic():
        fact, _ = PetitionFact.objects.select_for_update().get_or_create(
            petition_id=event.petition_id
        )
        if event.agency_id is not None and event.agency_id != fact.agency_id:
            fact.agency_id = event.agency_id
            fact.agency_path = agency_path(event.agency_id)
        if event.stage in HANDLING_STAGES:
            fact.late = True
        if event.stage == "resolve":
            fact.prolonged = True
        fact.save()
    return fact
