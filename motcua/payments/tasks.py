"""Payment work for the task queue: receipts after commit, refunds, polling, reconciliation."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from motcua.payments import receipts, reconciliation, refunds, settlement


@shared_task(acks_late=True)
def render_receipt_pdf(receipt_id: int) -> None:
    receipts.render_receipt(receipt_id)


@shared_task(acks_late=True)
def refund_payment(refund_id: int) -> None:
    refunds.execute_refund(refund_id)


@shared_task
def poll_pending_payments() -> dict:
    """Every few minutes (celery beat): settle payments whose notification was lost."""
    return settlement.poll_pending_payments()


@shared_task
def reconcile_yesterday() -> int:
    """Every night (celery beat): compare yesterday's gateway lists with our records."""
    day = timezone.localdate() - timedelta(days=1)
    return sum(len(outcome.issues) for outcome in reconciliation.reconcile(day))
