"""Payment work for the task queue: receipts after commit, refunds, polling, reconciliation."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def render_receipt_pdf(receipt_id: int) -> None:
    from motcua.payments.services import render_receipt

    render_receipt(receipt_id)


@shared_task(acks_late=True)
def refund_payment(refund_id: int) -> None:
    from motcua.payments.services import execute_refund

    execute_refund(refund_id)


@shared_task
def poll_pending_payments() -> dict:
    """Every few minutes (celery beat): settle payments whose notification was lost."""
    from motcua.payments.services import poll_pending_payments as poll

    return poll()


@shared_task
def reconcile_yesterday() -> int:
    """Every night (celery beat): compare yesterday's gateway lists with our records."""
    from motcua.payments.services import reconcile

    day = timezone.localdate() - timedelta(days=1)
    return sum(len(outcome.issues) for outcome in reconcile(day))
