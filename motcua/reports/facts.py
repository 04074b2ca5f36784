"""Keep each dossier's fact (reports.DossierFact) equal to what its record and timeline say.

`refresh_fact(dossier_id=...)` recomputes the whole fact from the dossier, its timeline,
charges, payments and results: idempotent, so a retried or reordered event changes nothing.
Only the rating comes from the event (DossierRated: reports may not read feedback's tables)
and is kept across recomputations. Decision 0056.
"""

from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.catalogue.models import Agency, Component
from motcua.core.db import in_id_batches
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Status
from motcua.payments.models import Charge, Payment
from motcua.reports.models import DossierFact
from motcua.results.models import ResultDocument
from motcua.workdays import services as workdays

ENDS = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED})


GENERATION = "reports:agency-paths"  # bumped when the agency tree changes


def forget_agency_paths(*args, **kwargs) -> None:
    """post_save / post_delete receiver for Agency: the tree may have changed (every process
    sees the new generation: the cache is shared)."""
    try:
        cache.incr(GENERATION)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION, 1, None)


def agency_path(agency_id: int) -> str:
    """ "/root/.../agency/": the agency and its ancestors, for "with its sub-agencies".
    Kept in the shared cache until an agency is saved or deleted (the tree rarely changes,
    and every fact refresh asks)."""
    key = f"reports:agency-path:{cache.get_or_set(GENERATION, 1, None)}:{agency_id}"
    path = cache.get(key)
    if path is None:
        path = _agency_path(agency_id)
        cache.set(key, path, 24 * 3600)
    return path


def _agency_path(agency_id: int) -> str:
    chain, seen = [], set()
    node = Agency.objects.filter(pk=agency_id).values("pk", "parent_id").first()
    while node and node["pk"] not in seen:
        seen.add(node["pk"])
        chain.append(node["pk"])
        parent = node["parent_id"]
        node = (
            Agency.objects.filter(pk=parent).values("pk", "parent_id").first() if parent else None
        )
    return "/" + "".join(f"{pk}/" for pk in reversed(chain))


def classify(*, ended_at: datetime, due_at: datetime | None, supplements: int) -> str:
    """DOMAIN 10: early (ended on a day before the due date), on time (by the due time),
    late (after it, or more than one supplement request)."""
    if supplements > 1:
        return DossierFact.Timeliness.LATE
    if due_at is None:
        return DossierFact.Timeliness.ON_TIME
    if timezone.localdate(ended_at) < timezone.localdate(due_at):
        return DossierFact.Timeliness.EARLY
    if ended_at <= due_at:
        return DossierFact.Timeliness.ON_TIME
    return DossierFact.Timeliness.LATE


def working_days(
    start: datetime, end: datetime, pauses: list[tuple[datetime, datetime]]
) -> Decimal:
    """Working days between `start` and `end`, less the working time inside `pauses`."""
    seconds = workdays.working_seconds_between(start, end)
    for paused, resumed in pauses:
        a, b = max(paused, start), min(resumed, end)
        if a < b:
            seconds -= workdays.working_seconds_between(a, b)
    return workdays.days_from_seconds(max(seconds, 0))


def without_apology(
    dossier: Dossier, event: DossierEvent, due: datetime, fee_paused_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """After an apology, the due date the dossier would have had without it moves as the
    dossier's own does (decisions 0057, 0066): a completed supplement restarts the clock
    from zero (None: the due date in force from then on has no apology in it), and where the
    workflow pauses the clock for a fee, the working time left is kept across the pause.
    Returns the due date and when the fee's pause began."""
    moved = event.from_status != event.to_status
    if moved and event.from_status == Status.SUPPLEMENT_REQUESTED:
        return (None, None) if event.to_status == Status.PROCESSING else (due, None)
    if not (dossier.workflow and dossier.workflow.definition.get("payment_pauses_clock")):
        return due, None
    if moved and event.to_status == Status.AWAITING_PAYMENT:
        return due, event.at
    if moved and event.from_status == Status.AWAITING_PAYMENT and fee_paused_at is not None:
        left = workdays.working_seconds_between(fee_paused_at, due)
        if left:
            days = Decimal(left) / Decimal(workdays.office_hours().seconds)
            due = workdays.add_working_days(event.at, days)
        return due, None
    return due, fee_paused_at


def compute(dossier: Dossier, events: list[DossierEvent]) -> dict:
    """The fact's values for `dossier` and its timeline `events` (in order)."""
    ended_at, ending, supplements, legal_due = None, "", 0, None
    pauses, paused_at, fee_paused_at = [], None, None
    for event in events:
        if event.to_status == Status.SUPPLEMENT_REQUESTED and event.from_status != event.to_status:
            supplements += 1
            paused_at = event.at
        elif event.from_status == Status.SUPPLEMENT_REQUESTED and paused_at is not None:
            pauses.append((paused_at, event.at))
            paused_at = None
        if event.action == "extend" and legal_due is None:
            old = (event.data or {}).get("old_due_at")
            legal_due = datetime.fromisoformat(old) if old else None
        elif legal_due is not None:
            legal_due, fee_paused_at = without_apology(dossier, event, legal_due, fee_paused_at)
        if ended_at is None and event.to_status in ENDS and event.from_status != event.to_status:
            ended_at = event.at
            if event.to_status == Status.STOPPED:
                ending = "withdrawn" if "withdraw" in event.action else "stopped"
            else:
                ending = "processed"
        if event.to_status == Status.NOT_ACCEPTED:
            ending, ended_at = "refused", event.at
    if ending == "processed" and dossier.status == Status.RETURNED:
        ending = "returned"
    if paused_at is not None:
        pauses.append((paused_at, timezone.now()))
    if legal_due is None:
        legal_due = dossier.due_at
    counted = ending in ("processed", "returned", "stopped")
    timeliness, days = "", None
    if counted and dossier.accepted_at:
        timeliness = classify(ended_at=ended_at, due_at=legal_due, supplements=supplements)
        days = working_days(dossier.accepted_at, ended_at, pauses)
    charges = Charge.objects.filter(dossier_id=dossier.pk, amount__gt=0).exclude(
        status=Charge.Status.CANCELLED
    )
    return {
        "status": dossier.status,
        "agency_id": dossier.receiving_agency_id,
        "agency_path": agency_path(dossier.receiving_agency_id),
        "sector_id": dossier.procedure.sector_id,
        "procedure_id": dossier.procedure_id,
        "procedure_code": dossier.procedure.code,
        "channel": dossier.channel,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.accepted_at,
        "due_at": dossier.due_at,
        "original_due_at": dossier.original_due_at,
        "legal_due_at": legal_due,
        "ended_at": ended_at,
        "ending": ending,
        "timeliness": timeliness,
        "processing_days": days,
        "supplement_requests": max(supplements, dossier.supplement_count),
        "extended": dossier.extension_count > 0,
        "fee_charged": charges.exists(),
        "paid_online": Payment.objects.filter(
            dossier_id=dossier.pk, status=Payment.Status.PAID, method=Payment.Method.ONLINE
        ).exists(),
        "electronic_result": ResultDocument.objects.filter(dossier_id=dossier.pk).exists(),
        "reused_data": bool(dossier.prefill_sources),
        "digitised": digitised(dossier),
    }


def digitised(dossier: Dossier) -> bool:
    """Every required component of the procedure has an electronic file on record (uploaded
    by the applicant or scanned by the desk), and there is at least one file."""
    required = set(
        Component.objects.filter(
            procedure_id=dossier.procedure_id, requirement=Component.Requirement.REQUIRED
        ).values_list("pk", flat=True)
    )
    filed = set(
        Attachment.objects.filter(dossier_id=dossier.pk).values_list("component_id", flat=True)
    )
    return bool(filed) and required <= filed


def refresh_fact(*, dossier_id: int) -> DossierFact | None:
    """Recompute the fact of one dossier (none for a draft or a dossier no longer there)."""
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_related("procedure")
            .filter(pk=dossier_id)
            .exclude(status=Status.DRAFT)
            .first()
        )
        if dossier is None or dossier.submitted_at is None:
            return None
        events = list(DossierEvent.objects.filter(dossier_id=dossier_id).order_by("at", "id"))
        values = compute(dossier, events)
        fact, _ = DossierFact.objects.update_or_create(dossier_id=dossier_id, defaults=values)
        return fact


def record_rating(*, dossier_id: int, negative: bool | None) -> None:
    """The dossier was rated (or its rating changed): kept on its fact."""
    fact = refresh_fact(dossier_id=dossier_id)
    if fact is not None:
        fact.rated, fact.rated_negative = True, negative
        fact.save(update_fields=["rated", "rated_negative"])  # recounts its aggregates


def rebuild(*, batch_size: int = 1000, stdout=None) -> int:
    """Recompute the facts of every submitted dossier, in batches of ids; returns the count."""
    return in_id_batches(
        Dossier.objects.filter(submitted_at__isnull=False).exclude(status=Status.DRAFT),
        lambda pk: refresh_fact(dossier_id=pk),
        batch_size=batch_size,
        stdout=stdout,
    )
