"""Drafts expire: a draft left unchanged for DRAFT_EXPIRY_DAYS is deleted with its files.

DRAFT_REMINDER_DAYS before that the applicant is reminded once (a `draft.expiring` event; the
e-mail is sent by its subscriber after commit). Changing the draft starts its time again, and
a draft changed after a reminder may be reminded again later. A reminded draft is never
deleted sooner than DRAFT_REMINDER_DAYS after the reminder, so a reminder sent late (the job
did not run, the setting changed) still leaves the applicant that long. Run by
`manage.py expire_drafts` and the Celery beat entry `expire-drafts` (decision 0030).

A draft the agency prepared (proactive services, decision 0085) that the person never changed
(updated_at still its prepared_at) is deleted at its prepared_expires_at instead, without the
"draft expiring" reminder: the person was just reminded of what falls due. Once the person
changes it, it is an ordinary draft.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from motcua.core.events import DraftExpiring
from motcua.core.outbox import publish
from motcua.dossiers.models import Dossier, Status, untouched_prepared
from motcua.dossiers.services import delete_draft

BATCH = 500


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def draft_expires_at(dossier: Dossier) -> datetime:
    """When this draft will be deleted if it stays as it is."""
    if dossier.is_untouched_prepared and dossier.prepared_expires_at is not None:
        return dossier.prepared_expires_at
    expires = dossier.updated_at + _days(settings.DRAFT_EXPIRY_DAYS)
    reminded = dossier.expiry_reminded_at
    if reminded is not None and reminded >= dossier.updated_at:
        expires = max(expires, reminded + _days(settings.DRAFT_REMINDER_DAYS))
    return expires


def _not_reminded_since_change() -> Q:
    return Q(expiry_reminded_at__isnull=True) | Q(expiry_reminded_at__lt=F("updated_at"))


def remind_expiring_drafts(*, now: datetime | None = None) -> int:
    """Tell the applicants of drafts that expire within DRAFT_REMINDER_DAYS; returns how many.

    Each draft is marked by one conditional UPDATE before its event is published, in one
    transaction: two runs at once, or one run twice, remind once.
    """
    reminder = settings.DRAFT_REMINDER_DAYS
    if reminder <= 0:
        return 0
    now = now or timezone.now()
    horizon = now - _days(max(settings.DRAFT_EXPIRY_DAYS - reminder, 0))
    due = (
        Dossier.objects.filter(status=Status.DRAFT, updated_at__lte=horizon)
        .filter(_not_reminded_since_change())
        .exclude(untouched_prepared())
    )
    sent = 0
    after = 0
    while rows := list(
        due.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "applicant_id", "updated_at")[:BATCH]
    ):
        for pk, applicant_id, updated_at in rows:
            with transaction.atomic():
                marked = (
                    Dossier.objects.filter(pk=pk, status=Status.DRAFT, updated_at=updated_at)
                    .filter(_not_reminded_since_change())
                    .exclude(untouched_prepared())
                    .update(expiry_reminded_at=now)
                )
                if not marked:  # changed, submitted or reminded meanwhile
                    continue
                expires_at = max(
                    updated_at + _days(settings.DRAFT_EXPIRY_DAYS), now + _days(reminder)
                )
                event = DraftExpiring(
                    dossier_id=pk, applicant_id=applicant_id, expires_at=expires_at
                )
                publish(event)
                sent += 1
        after = rows[-1][0]
    return sent


def expire_drafts(*, now: datetime | None = None) -> int:
    """Delete the drafts whose time is up, with their files; returns how many."""
    now = now or timezone.now()
    expired = Q(status=Status.DRAFT, updated_at__lte=now - _days(settings.DRAFT_EXPIRY_DAYS))
    reminder = settings.DRAFT_REMINDER_DAYS
    if reminder > 0:
        expired &= Q(
            expiry_reminded_at__gte=F("updated_at"),
            expiry_reminded_at__lte=now - _days(reminder),
        )
    # Untouched prepared drafts go at their own date; changed ones by the ordinary rule. Two
    # passes rather than one OR: the first reads the index of drafts by last change; the
    # second has no index on prepared_expires_at and reads the drafts (few: prepared ones
    # are deleted at their date or become ordinary drafts).
    prepared = Q(status=Status.DRAFT, prepared_expires_at__lte=now) & untouched_prepared()
    return _delete_where(expired & ~untouched_prepared()) + _delete_where(prepared)


def _delete_where(expired: Q) -> int:
    deleted = 0
    after = 0
    while pks := list(
        Dossier.objects.filter(expired, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    ):
        for pk in pks:
            with transaction.atomic():
                # Locked and checked again: the applicant may have saved it a moment ago.
                dossier = Dossier.objects.select_for_update().filter(expired, pk=pk).first()
                if dossier is None:
                    continue
                delete_draft(dossier)
                deleted += 1
        after = pks[-1]
    return deleted


def run(*, now: datetime | None = None) -> dict[str, int]:
    """Remind, then expire (what the command and the beat entry do)."""
    now = now or timezone.now()
    return {"reminded": remind_expiring_drafts(now=now), "deleted": expire_drafts(now=now)}
