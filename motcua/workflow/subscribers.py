"""What the workflow does when something happens below it: synchronous subscribers that move
the dossier in the same transaction as the fact (motcua.core.outbox)."""

from motcua.core.events import DossierSubmitted, ParcelDelivered, PaymentSettled
from motcua.core.outbox import subscriber
from motcua.delivery.models import Shipment
from motcua.dossiers.models import Dossier, Status
from motcua.payments.charges import outstanding_amount
from motcua.payments.models import Payment
from motcua.workflow import machine, services


@subscriber(DossierSubmitted, sync=True, name="workflow.route_submitted")
def route_submitted(event: DossierSubmitted, dossier: Dossier) -> None:
    """Into the desk's reception queue (and status 6 if a fee is due with the application)."""
    services.route_submitted(dossier)


@subscriber(PaymentSettled, sync=True, name="workflow.payment_settled")
def move_on_when_paid(event: PaymentSettled, payment) -> None:
    """Paid online in full: the dossier leaves status 6. (A payment at the counter is the
    officer's own action, confirm_payment, which moved it already.)"""
    if event.method == Payment.Method.COUNTER or event.from_status != Status.AWAITING_PAYMENT:
        return
    if outstanding_amount(payment.dossier) == 0:
        machine.perform(
            dossier_id=event.dossier_id,
            action="payment_received",
            actor=None,
            data=machine.PaymentReceivedInput(payment=payment),
        )


@subscriber(ParcelDelivered, sync=True, name="workflow.parcel_delivered")
def returned_when_delivered(event: ParcelDelivered, shipment: Shipment) -> None:
    """The carrier delivered the result: status 10 (đã trả kết quả)."""
    if event.from_status == Status.PROCESSED:
        machine.perform(
            dossier_id=event.dossier_id,
            action="delivered",
            actor=None,
            data=machine.DeliveredInput(shipment=shipment),
        )
