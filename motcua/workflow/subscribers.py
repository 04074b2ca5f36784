"""What the workflow does when something happens below it: synchronous subscribers that move
the dossier in the same transaction as the fact (motcua.core.outbox)."""

from motcua.core.events import (
    DossierSubmitted,
    ParcelDelivered,
    PaymentSettled,
    ProcedureVersionCreated,
)
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
def move_on_when_paid(event: PaymentSettled, subject) -> None:
    """Nothing left to pay: a dossier still waiting for its fee (status 6, as it stands in
    this transaction) goes back to work. One paid at the counter was moved by the officer's
    own action before the event, so it is no longer waiting."""
    waiting = Dossier.objects.filter(pk=event.dossier_id, status=Status.AWAITING_PAYMENT)
    if waiting.exists() and outstanding_amount(event.dossier_id) == 0:
        machine.perform(
            dossier_id=event.dossier_id,
            action="payment_received",
            actor=None,
            data=machine.PaymentReceivedInput(payment=Payment.objects.get(pk=event.payment_id)),
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


@subscriber(ProcedureVersionCreated, sync=True, name="workflow.carry_workflow_over")
def carry_workflow_over(event: ProcedureVersionCreated, subject) -> None:
    """A new version of a procedure keeps the handling workflow of the one it replaces (its
    latest version, as version 1 of the new one); dossiers of the old one keep theirs."""
    services.copy_workflow(from_procedure_id=event.previous_id, to_procedure_id=event.procedure_id)
