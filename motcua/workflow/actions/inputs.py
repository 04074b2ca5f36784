"""What the actor gives with each action, already parsed: the officer's form (workflow/forms.py)
builds these from the request, so the state machine checks only the rules of the domain."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from motcua.delivery.models import Shipment
from motcua.payments.models import Payment


@dataclass(frozen=True)
class NoteInput:
    """A remark with the action; whether the applicant reads it is the action's `internal_note`."""

    note: str = ""


@dataclass(frozen=True)
class ReasonInput:
    """Why: refusal, stop, sending back, a withdrawal asked for or declined."""

    reason: str = ""


@dataclass(frozen=True)
class SupplementItem:
    component: str  # the component's name, or the name the officer typed for another paper
    reason: str


@dataclass(frozen=True)
class RequestSupplementInput:
    items: tuple[SupplementItem, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class RequestPaymentInput:
    """`amount` in đồng; None asks the procedure's fee schedule."""

    amount: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ExtendInput:
    reason: str
    new_due_date: date


@dataclass(frozen=True)
class OpenTasksInput:
    """A transfer (liên thông) or a consultation (xin ý kiến) sent to these units."""

    unit_ids: tuple[int, ...]
    days: Decimal
    request: str


@dataclass(frozen=True)
class PaymentReceivedInput:
    payment: Payment  # settled by the gateway's verified notification


@dataclass(frozen=True)
class DeliveredInput:
    shipment: Shipment  # reported delivered by the carrier


ActionInput = (
    NoteInput
    | ReasonInput
    | RequestSupplementInput
    | RequestPaymentInput
    | ExtendInput
    | OpenTasksInput
    | PaymentReceivedInput
    | DeliveredInput
)


@dataclass(frozen=True)
class FeeDueInput:
    amount: int  # the charge opened with the application (payments.charges)
