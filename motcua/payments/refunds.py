"""Refunds (hoàn trả): what a refused or stopped dossier gives back, and asking the gateway once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from motcua.core.events import PaymentRefunded
from motcua.core.outbox import publish
from motcua.dossiers.models import Dossier
from motcua.payments import registry
from motcua.payments.gateway_log import clean_params, log_message
from motcua.payments.models import Charge, Payment, Refund
from motcua.payments.registry import ERROR, OK, GatewayError


def create_refund(payment: Payment, *, reason: str, actor) -> Refund:
    """Give `payment` back: through its gateway after commit if online, else at the cashier."""
    online = payment.method == Payment.Method.ONLINE
    refund = Refund.objects.create(
        payment=payment,
        dossier_id=payment.dossier_id,
        amount=payment.amount,
        reason=reason,
        status=Refund.Status.REQUESTED if online else Refund.Status.AT_CASHIER,
        requested_by=actor,
    )
    if online:
        from motcua.payments.tasks import refund_payment  # tasks.py imports this module

        refund_id = refund.pk
        transaction.on_commit(lambda: refund_payment.delay(refund_id))
    return refund


def refund_if_paid(dossier: Dossier, *, actor, reason: str) -> Refund | None:
    """The dossier is refused or stopped: cancel what is still asked, give back what was paid.

    Online payments are refunded through their gateway after commit; counter payments get a
    refund for the cashier. Returns the (first) refund, or None when nothing was paid.
    """
    Charge.objects.filter(dossier=dossier, status=Charge.Status.OPEN).update(
        status=Charge.Status.CANCELLED, closed_at=timezone.now()
    )
    first = None
    paid = Payment.objects.filter(dossier=dossier, status=Payment.Status.PAID, refunds__isnull=True)
    for payment in paid.select_related("dossier"):
        refund = create_refund(payment, reason=reason, actor=actor)
        first = first or refund
    return first


def execute_refund(refund_id: int) -> Refund:
    """Ask the gateway to refund (once: the row lock and status make a retry harmless)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment", "payment__dossier", "requested_by")
            .get(pk=refund_id)
        )
        if refund.status != Refund.Status.REQUESTED:
            return refund
        payment = refund.payment
        plugin = registry.registry.get(payment.gateway)
        if plugin is None:
            return refund
        who = refund.requested_by.full_name if refund.requested_by else "MotCua"
        try:
            result = plugin.refund(
                payment, amount=refund.amount, reason=refund.reason, requested_by=who
            )
        except GatewayError as exc:
            refund.gateway_message = str(exc)[:300]
            refund.save(update_fields=["gateway_message"])
            log_message(
                payment.gateway,
                "refund",
                params={"error": str(exc)[:500]},
                verdict=ERROR,
                reference=payment.reference,
                payment=payment,
            )
            return refund
        refund.status = Refund.Status.DONE if result.ok else Refund.Status.FAILED
        refund.completed_at = timezone.now() if result.ok else None
        refund.gateway_code, refund.gateway_message = result.code, result.message
        refund.save()
        if result.ok:  # the applicant is told (notifications), with the refund
            publish(
                PaymentRefunded.about(
                    payment.dossier,
                    action="refunded",
                    payment_id=payment.pk,
                    amount=refund.amount,
                )
            )
        log_message(
            payment.gateway,
            "refund",
            params=clean_params(result.raw),
            verdict=OK if result.ok else ERROR,
            code=result.code,
            reference=payment.reference,
            payment=payment,
        )
    return refund
