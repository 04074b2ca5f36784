"""Dossier statuses pushed to the national public service portal, from the outbox.

The outbox subscriber `nationalportal.push` (after commit, never in the request's
transaction) turns each dossier event that changes what the portal shows (a new status, a new
appointment) into one PortalPush, exactly once per event, and sends the dossier's pushes at
once, in order. A push the portal does not take because it is down (no answer, time-out, 5xx,
429) is tried again with backoff (core.retry) by Celery beat (`deliver-portal-pushes`),
`manage.py deliver_portal_pushes` or, on the embedded default, after later requests; one it
refuses (4xx) waits with its error for the desk. A dossier's pushes go out in the order of
their events (the outbox event id, not the order the pushes were made in) and later ones wait
behind one not sent: the portal never sees a later status before an earlier one. A push whose
event is older than one the portal already took (its event reached us late) is superseded,
never sent: the portal's last word is the newest status.

Each push carries a message id of its own, the same on every try and replay, so the portal
answers a repeat with its first answer (idempotent). PortalSync keeps where each dossier
stands, for the officer's dossier page and the administrators' list.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.audit import record_audit
from motcua.core.events import DossierChanged, DossierExtended, DossierSubmitted
from motcua.core.models import OutboxEvent
from motcua.core.outbox import current_event_id, subscriber
from motcua.core.retry import backoff
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.nationalportal.models import PortalPush, PortalSync
from motcua.nationalportal.registry import (
    BasePortal,
    PortalRejected,
    PortalUnavailable,
    StatusUpdate,
    active,
)

log = logging.getLogger("motcua.nationalportal")

# Dossiers a sweep after a request takes at most (without a broker, in the request's thread).
SWEEP_LIMIT = 20

Push = PortalPush.State
Sync = PortalSync.State


# --- From events to pushes ------------------------------------------------------------------


def wants(event: DossierChanged) -> bool:
    """The portal shows a dossier's status and appointment: a push for a new status (a
    submission included) and for a new appointment, none for the rest (messages, comments,
    documents, steps within the same status)."""
    if not event.to_status:
        return False
    if isinstance(event, DossierSubmitted | DossierExtended):
        return True
    return event.from_status != event.to_status


@subscriber(DossierChanged, name="nationalportal.push")
def on_dossier_changed(event: DossierChanged) -> None:
    """One push per event of a status change, then the dossier's pushes sent in order.

    Run again by the outbox (a crash before its strike-off), it makes nothing twice: the
    unique event id refuses the second push."""
    event_id = current_event_id()
    if event_id is None or active() is None or not wants(event):
        return
    if enqueue(event=event, event_id=event_id) is not None:
        deliver_dossier(dossier_id=event.dossier_id)


def enqueue(*, event: DossierChanged, event_id: int) -> PortalPush | None:
    """The push of `event` (None if it was made already or the dossier has no code)."""
    dossier = (
        Dossier.objects.filter(pk=event.dossier_id)
        .only("pk", "code", "receiving_agency_id")
        .first()
    )
    if dossier is None or not dossier.code:
        return None
    happened = (
        OutboxEvent.objects.filter(pk=event_id).values_list("created_at", flat=True).first()
        or timezone.now()
    )
    now = timezone.now()
    newer = _newer_sent(dossier.pk, event_id)
    try:
        with transaction.atomic():
            push = PortalPush.objects.create(
                dossier=dossier,
                event_id=event_id,
                message_id=f"motcua-{uuid.uuid4().hex}",
                status=event.to_status,
                changed_at=happened,
                actor_id=event.actor_id,
                **({"next_attempt_at": now} | (_superseded_fields(newer) if newer else {})),
            )
            sync, created = PortalSync.objects.get_or_create(
                dossier=dossier,
                defaults={"agency_id": dossier.receiving_agency_id, "next_attempt_at": now},
            )
            if not created and sync.state == Sync.SYNCED and not newer:
                PortalSync.objects.filter(pk=sync.pk).update(
                    state=Sync.PENDING, next_attempt_at=now
                )
    except IntegrityError:  # made on an earlier run of this subscriber
        return None
    return push


def _newer_sent(dossier_id: int, event_id: int) -> PortalPush | None:
    """The dossier's push the portal took whose event is newer than `event_id`, if any."""
    return (
        PortalPush.objects.filter(
            dossier_id=dossier_id, state=Push.SENT, sent_at__isnull=False, event_id__gt=event_id
        )
        .order_by("-event_id")
        .first()
    )


def _superseded_fields(newer: PortalPush) -> dict:
    """A push never sent because the portal has a newer status already: out of the queue
    (state sent, with no sent_at and no reference), the reason in last_error."""
    return {
        "state": Push.SENT,
        "sent_at": None,
        "reference": "",
        "next_attempt_at": None,
        "last_error": f"superseded: not sent, the portal has the newer event {newer.event_id}",
    }


# --- The message ----------------------------------------------------------------------------


def _name(user_id) -> str:
    if user_id is None:
        return ""
    return (
        User.objects.filter(pk=user_id, kind=User.Kind.OFFICER)
        .values_list("full_name", flat=True)
        .first()
        or ""
    )


def _officer_events(dossier_id):
    return DossierEvent.objects.filter(dossier_id=dossier_id, actor__kind=User.Kind.OFFICER)


def receiver_name(dossier: Dossier) -> str:
    """Who received the dossier: the desk officer who accepted or refused it (or registered it
    at the counter); "" while nobody has."""
    first = (
        _officer_events(dossier.pk)
        .filter(from_status=Status.SUBMITTED)
        .exclude(to_status=Status.SUBMITTED)
        .order_by("id")
        .values_list("actor__full_name", flat=True)
        .first()
    )
    return first or _name(dossier.registered_by_id)


def handler_name(dossier: Dossier, push: PortalPush) -> str:
    """Who handled the change: the officer who made it, else the last officer who acted."""
    return _name(push.actor_id) or (
        _officer_events(dossier.pk)
        .filter(id__lte=_last_event_id(dossier.pk, push))
        .order_by("-id")
        .values_list("actor__full_name", flat=True)
        .first()
        or ""
    )


def _last_event_id(dossier_id, push) -> int:
    return (
        DossierEvent.objects.filter(dossier_id=dossier_id, at__lte=push.changed_at)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def update_for(push: PortalPush) -> StatusUpdate:
    dossier = Dossier.objects.select_related("procedure", "receiving_agency", "current_unit").get(
        pk=push.dossier_id
    )
    return StatusUpdate(
        message_id=push.message_id,
        dossier_code=dossier.code or "",
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        agency_code=dossier.receiving_agency.identifier,
        agency_name=dossier.receiving_agency.name,
        status=push.status,
        changed_at=push.changed_at,
        channel=dossier.channel,
        submitted_at=dossier.submitted_at,
        accepted_at=dossier.accepted_at,
        due_at=dossier.due_at,
        returned_at=dossier.returned_at if push.status == Status.RETURNED else None,
        receiver_name=receiver_name(dossier),
        handler_name=handler_name(dossier, push),
        handling_unit=dossier.current_unit.name if dossier.current_unit_id else "",
    )


# --- Sending --------------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool = False
    retry: bool = False
    reference: str = ""
    error: str = ""


def _send(portal: BasePortal, push: PortalPush) -> Outcome:
    try:
        receipt = portal.push(update_for(push))
    except PortalUnavailable as exc:
        return Outcome(retry=True, error=str(exc)[:500])
    except PortalRejected as exc:
        return Outcome(error=str(exc)[:500])
    return Outcome(ok=True, reference=receipt.reference)


def _record(push: PortalPush, lease: datetime, outcome: Outcome) -> None:
    """The try and what comes next: sent; tried again after the backoff; failed on a refusal
    or once NATIONAL_PORTAL_MAX_ATTEMPTS tries are spent. Only while our claim holds."""
    now = timezone.now()
    attempts = push.attempts + 1
    fields: dict = {"attempts": attempts}
    if outcome.ok:
        fields.update(
            state=Push.SENT,
            sent_at=now,
            reference=outcome.reference,
            last_error="",
            next_attempt_at=None,
        )
    elif outcome.retry and attempts < settings.NATIONAL_PORTAL_MAX_ATTEMPTS:
        wait = backoff(
            attempts,
            base=settings.NATIONAL_PORTAL_RETRY_SECONDS,
            cap=settings.NATIONAL_PORTAL_RETRY_MAX_SECONDS,
        )
        fields.update(last_error=outcome.error, next_attempt_at=now + wait)
    else:
        fields.update(state=Push.FAILED, last_error=outcome.error, next_attempt_at=None)
    PortalPush.objects.filter(pk=push.pk, state=Push.PENDING, next_attempt_at=lease).update(
        **fields
    )


def deliver_dossier(*, dossier_id: int, portal: BasePortal | None = None) -> int:
    """Send the dossier's due pushes in order, stopping at the first not taken; returns how
    many were sent. Never call it inside a transaction: the portal is waited on, and a
    rollback after it answered would have the message sent twice.

    Each push is claimed with one conditional UPDATE that moves its next try past a lease
    (3 × the time-out), so two workers never send it at once and a worker that dies leaves it
    to be tried when the lease ends."""
    portal = portal or active()
    if portal is None:
        return 0
    sent = 0
    while True:
        head = (
            PortalPush.objects.filter(dossier_id=dossier_id, state__in=[Push.PENDING, Push.FAILED])
            .order_by("event_id")
            .first()
        )
        now = timezone.now()
        if head is None or head.state == Push.FAILED or (head.next_attempt_at or now) > now:
            break
        due = PortalPush.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=head.pk,
            state=Push.PENDING,
        )
        newer = _newer_sent(dossier_id, head.event_id)
        if newer is not None:
            # Its event came late (or a replay brought it back): sent now, it would be the
            # portal's last word about the dossier, an older status over a newer one.
            if not due.update(**_superseded_fields(newer)):
                break
            continue
        lease = now + timedelta(seconds=settings.NATIONAL_PORTAL_TIMEOUT_SECONDS * 3)
        claimed = due.update(next_attempt_at=lease)
        if not claimed:
            break
        outcome = _send(portal, head)
        _record(head, lease, outcome)
        if not outcome.ok:
            log.info("portal push %s of dossier %s: %s", head.pk, dossier_id, outcome.error)
            break
        sent += 1
    refresh_sync(dossier_id)
    return sent


def refresh_sync(dossier_id: int) -> PortalSync | None:
    """PortalSync from the dossier's pushes: failed while one waits for a person, pending
    while one waits for its try, else synced with the last status the portal took."""
    pushes = PortalPush.objects.filter(dossier_id=dossier_id)
    head = pushes.filter(state__in=[Push.PENDING, Push.FAILED]).order_by("event_id").first()
    last_sent = pushes.filter(state=Push.SENT, sent_at__isnull=False).order_by("-event_id").first()
    fields: dict = {
        "last_status_sent": last_sent.status if last_sent else None,
        "synced_at": last_sent.sent_at if last_sent else None,
        "reference": last_sent.reference if last_sent else "",
    }
    if head is None:
        fields.update(state=Sync.SYNCED, attempts=0, next_attempt_at=None, last_error="")
    else:
        fields.update(
            state=Sync.FAILED if head.state == Push.FAILED else Sync.PENDING,
            attempts=head.attempts,
            next_attempt_at=head.next_attempt_at,
            last_error=head.last_error,
        )
    updated = PortalSync.objects.filter(dossier_id=dossier_id).update(**fields)
    return PortalSync.objects.filter(dossier_id=dossier_id).first() if updated else None


def deliver_due(*, limit: int = 200, portal: BasePortal | None = None) -> int:
    """Send the pushes whose try is due, dossier by dossier, oldest first; returns how many
    were sent."""
    due = (
        PortalPush.objects.filter(state=Push.PENDING, next_attempt_at__lte=timezone.now())
        .values("dossier_id")
        .annotate(first=Min("event_id"))
        .order_by("first")
        .values_list("dossier_id", flat=True)[:limit]
    )
    return sum(deliver_dossier(dossier_id=pk, portal=portal) for pk in list(due))


@shared_task(name="motcua.nationalportal.services.deliver_due", ignore_result=True)
def deliver_due_task() -> None:
    deliver_due()


# --- Retries and replays --------------------------------------------------------------------


def _due_again(pushes) -> int:
    """Failed or waiting pushes tried again now, from a first try."""
    return pushes.filter(state__in=[Push.PENDING, Push.FAILED]).update(
        state=Push.PENDING, attempts=0, next_attempt_at=timezone.now()
    )


def retry_dossier(*, dossier: Dossier, actor, request=None) -> int:
    """The desk's "Đồng bộ lại": the dossier's pushes not sent are tried again at once (after
    the caller's commit), audited; returns how many."""
    with transaction.atomic():
        count = _due_again(PortalPush.objects.filter(dossier=dossier))
        PortalSync.objects.filter(dossier=dossier).update(
            state=Sync.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        record_audit(
            action="nationalportal.retry",
            actor=actor,
            target=dossier.code or str(dossier.pk),
            request=request,
            pushes=count,
        )
    transaction.on_commit(partial(deliver_dossier, dossier_id=dossier.pk))
    return count


def retry_failed(*, agency_ids, actor, request=None) -> int:
    """An administrator's "retry all failed" for their agencies: every dossier whose sync
    failed tried again now; returns how many dossiers."""
    with transaction.atomic():
        dossier_ids = list(
            PortalSync.objects.filter(agency_id__in=agency_ids, state=Sync.FAILED).values_list(
                "dossier_id", flat=True
            )
        )
        _due_again(PortalPush.objects.filter(dossier_id__in=dossier_ids))
        PortalSync.objects.filter(dossier_id__in=dossier_ids).update(
            state=Sync.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        record_audit(
            action="nationalportal.retry_failed",
            actor=actor,
            target=",".join(str(pk) for pk in sorted(agency_ids)),
            request=request,
            dossiers=len(dossier_ids),
        )
    # Exactly these dossiers (not the oldest due ones of any agency).
    transaction.on_commit(partial(_deliver_each, dossier_ids))
    return len(dossier_ids)


def _deliver_each(dossier_ids) -> int:
    return sum(deliver_dossier(dossier_id=pk) for pk in dossier_ids)


def replay_since(*, since: datetime, agency_ids=None, actor=None) -> int:
    """Every push made since `since` (sent or not) due again now, under its own message id,
    so the portal answers those it took already with their first answer and takes the rest
    (after it lost data, or a fix on our side); returns how many. The sweep sends them,
    dossier by dossier, in order."""
    pushes = PortalPush.objects.filter(created_at__gte=since)
    if agency_ids is not None:
        pushes = pushes.filter(dossier__receiving_agency_id__in=agency_ids)
    with transaction.atomic():
        dossier_ids = set(pushes.values_list("dossier_id", flat=True))
        count = pushes.update(state=Push.PENDING, attempts=0, next_attempt_at=timezone.now())
        PortalSync.objects.filter(dossier_id__in=dossier_ids).update(
            state=Sync.PENDING, next_attempt_at=timezone.now()
        )
        record_audit(
            action="nationalportal.replay",
            actor=actor,
            target=since.isoformat(),
            pushes=count,
        )
    return count


def sync_of(dossier: Dossier) -> PortalSync | None:
    return PortalSync.objects.filter(dossier=dossier).first()


def not_in_sync(agency_ids):
    """The dossiers of these agencies not in sync with the portal, failed first."""
    return (
        PortalSync.objects.filter(agency_id__in=agency_ids)
        .exclude(state=Sync.SYNCED)
        .select_related("dossier", "dossier__procedure", "agency")
        .order_by("state", "updated_at")  # "failed" before "pending"
    )
