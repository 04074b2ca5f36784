"""Reconciliation (đối soát): each gateway's list of a day against our online payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from motcua.documents.render import DOCUMENT_TIME_ZONE
from motcua.payments import registry
from motcua.payments.models import Payment, PaymentIssue, ReconciliationRun
from motcua.payments.settlement import poll_payment, record_issue


@dataclass
class ReconcileOutcome:
    run: ReconciliationRun
    issues: list[PaymentIssue]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    with timezone.override(DOCUMENT_TIME_ZONE):
        start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def reconcile(day: date, *, gateway_ids: list[str] | None = None) -> list[ReconcileOutcome]:
    """Compare each gateway's list of `day` with our online payments created that day and
    store every difference (missing on either side, amount, status)."""
    outcomes = []
    start, end = _day_bounds(day)
    for gateway_id in gateway_ids or registry.active_ids():
        plugin = registry.registry[gateway_id]
        ours_qs = Payment.objects.filter(
            method=Payment.Method.ONLINE,
            gateway=gateway_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        for payment in ours_qs.filter(status=Payment.Status.PENDING):
            poll_payment(payment)
        theirs = {t.reference: t for t in plugin.transactions_on(day)}
        ours = {p.reference: p for p in ours_qs.select_related("dossier")}
        found = []
        for reference in sorted(set(theirs) | set(ours)):
            mine, their = ours.get(reference), theirs.get(reference)
            kind, details = None, {}
            if mine is None:
                if their.status == "paid":
                    kind = PaymentIssue.Kind.MISSING_HERE
                    details = {
                        "gateway_amount": their.amount,
                        "transaction_no": their.transaction_no,
                    }
            elif their is None:
                if mine.status == Payment.Status.PAID:
                    kind = PaymentIssue.Kind.MISSING_THERE
                    details = {"our_amount": mine.amount}
            elif their.amount != mine.amount:
                kind = PaymentIssue.Kind.AMOUNT_DIFFERS
                details = {"our_amount": mine.amount, "gateway_amount": their.amount}
            elif (their.status == "paid") != (mine.status == Payment.Status.PAID):
                kind = PaymentIssue.Kind.STATUS_DIFFERS
                details = {"our_status": mine.status, "gateway_status": their.status}
            if kind:
                found.append(
                    record_issue(
                        kind, mine, gateway=gateway_id, reference=reference, day=day, **details
                    )
                )
        run = ReconciliationRun.objects.create(
            gateway=gateway_id,
            day=day,
            gateway_count=len(theirs),
            our_count=len(ours),
            mismatches=len(found),
        )
        outcomes.append(ReconcileOutcome(run, found))
    return outcomes
