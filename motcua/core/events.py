"""What happened, in the words the rest of MotCua subscribes to: every domain event type.

An event is a fact, published by the app where it happened (motcua.core.outbox.publish) in
the same transaction as the change, and written to the outbox. Higher apps subscribe: the
workflow moves a dossier on when a payment settles or a parcel is delivered; notifications
tell the applicant; reports and integrators count and forward. Payloads are typed, small and
made of plain values (ids, codes, amounts, times), never model instances, so that they read
the same from the outbox a day later and can be sent outside as they are.

Adding an event type: a frozen dataclass here with a dotted `name`, published where the fact
happens. docs/architecture.md lists them.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, get_type_hints

EVENT_TYPES: dict[str, type["Event"]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    name: ClassVar[str] = ""
    # Payload fields stored encrypted in the outbox and blanked once delivered.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            if cls.name in EVENT_TYPES:
                raise TypeError(f"Event type {cls.name!r} is defined twice.")
            EVENT_TYPES[cls.name] = cls

    def to_payload(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Event":
        hints = get_type_hints(cls)
        values = {
            f.name: _load(hints[f.name], payload[f.name]) for f in fields(cls) if f.name in payload
        }
        return cls(**values)


def _dump(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    return value


def _load(hint, value):
    if value is None:
        return None
    kinds = getattr(hint, "__args__", None) or (hint,)
    if datetime in kinds:
        return datetime.fromisoformat(value)
    if date in kinds:
        return date.fromisoformat(value)
    if Decimal in kinds:
        return Decimal(value)
    if isinstance(value, list):
        return tuple(value)
    return value


# ---------------------------------------------------------------------------------------
# Accounts


@dataclass(frozen=True, kw_only=True)
class VerificationCodeIssued(Event):
    """A one-time code to confirm the user's e-mail address was made (mã xác thực)."""

    name: ClassVar[str] = "account.verification_code_issued"
    secret_fields: ClassVar[tuple[str, ...]] = ("code",)
    user_id: int
    code: str


@dataclass(frozen=True, kw_only=True)
class RegistrationRepeated(Event):
    """Someone registered with the e-mail address or phone number (`via`) of an existing
    account: the page answered as for a new one, and the account's owner is told instead."""

    name: ClassVar[str] = "account.registration_repeated"
    user_id: int
    via: str


@dataclass(frozen=True, kw_only=True)
class RegistrationNotCompleted(Event):
    """A registration with a free e-mail address gave another account's phone number: no
    account was made, and the address is told why."""

    name: ClassVar[str] = "account.registration_not_completed"
    secret_fields: ClassVar[tuple[str, ...]] = ("email",)
    email: str


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(Event):
    """Someone asked for a password-reset link for this account; it is mailed after commit."""

    name: ClassVar[str] = "account.password_reset_requested"
    user_id: int


# ---------------------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True, kw_only=True)
class ProcedureVersionCreated(Event):
    """A new version of a procedure (`procedure_id`) replaces `previous_id` from
    `effective_from`, as the national procedure database changed it: the apps that keep a
    procedure's local parts (its workflow, its result template) carry them over, in the same
    transaction (synchronous subscribers)."""

    name: ClassVar[str] = "catalogue.procedure_version_created"
    procedure_id: int
    previous_id: int
    code: str
    effective_from: date


# ---------------------------------------------------------------------------------------
# Drafts (not yet dossiers with a code: no status change, no actor)


@dataclass(frozen=True, kw_only=True)
class DraftExpiring(Event):
    """A draft left unchanged will be deleted at `expires_at` unless the applicant returns."""

    name: ClassVar[str] = "draft.expiring"
    dossier_id: int
    applicant_id: int
    expires_at: datetime


# ---------------------------------------------------------------------------------------
# The dossier's lifecycle. Every one carries where the dossier stood and who moved it; the
# timeline row (dossiers.DossierEvent) written in the same transaction has the details.


@dataclass(frozen=True, kw_only=True)
class DossierChanged(Event):
    """Base of the dossier events (also published as it is for timeline lines without an
    event type of their own)."""

    name: ClassVar[str] = "dossier.changed"
    dossier_id: int
    code: str = ""
    action: str = ""
    from_status: int | None = None
    to_status: int | None = None
    actor_id: int | None = None

    @classmethod
    def about(cls, dossier, *, action: str, actor=None, from_status=None, **fields):
        """The event for `dossier` as it stands now (a Dossier, or anything with its pk, code
        and status): `from_status` defaults to where it is, for facts that move nothing."""
        return cls(
            dossier_id=dossier.pk,
            code=dossier.code or "",
            action=action,
            from_status=dossier.status if from_status is None else from_status,
            to_status=dossier.status,
            actor_id=actor.pk if actor is not None else None,
            **fields,
        )


@dataclass(frozen=True, kw_only=True)
class DossierSubmitted(DossierChanged):
    """A dossier was submitted (status 1), online, at the counter or by post."""

    name: ClassVar[str] = "dossier.submitted"
    channel: str = "online"


@dataclass(frozen=True, kw_only=True)
class DossierAccepted(DossierChanged):
    name: ClassVar[str] = "dossier.accepted"
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DossierRefused(DossierChanged):
    """Not accepted at reception (status 3, từ chối tiếp nhận)."""

    name: ClassVar[str] = "dossier.refused"


@dataclass(frozen=True, kw_only=True)
class SupplementRequested(DossierChanged):
    name: ClassVar[str] = "dossier.supplement_requested"


@dataclass(frozen=True, kw_only=True)
class SupplementReceived(DossierChanged):
    name: ClassVar[str] = "dossier.supplement_received"


@dataclass(frozen=True, kw_only=True)
class DossierHandedOver(DossierChanged):
    """Moved to another step's unit (forward, send back)."""

    name: ClassVar[str] = "dossier.handed_over"


@dataclass(frozen=True, kw_only=True)
class PaymentRequested(DossierChanged):
    """A fee is due (status 6): at submission or when the specialist asks for it."""

    name: ClassVar[str] = "dossier.payment_requested"
    amount: int = 0


@dataclass(frozen=True, kw_only=True)
class PaymentSettled(DossierChanged):
    """A charge was paid in full, online (verified by the gateway) or at the counter."""

    name: ClassVar[str] = "payment.settled"
    payment_id: int | None = None
    amount: int = 0
    method: str = ""


@dataclass(frozen=True, kw_only=True)
class DossierExtended(DossierChanged):
    """Apology and new appointment (D61 art.19(9))."""

    name: ClassVar[str] = "dossier.extended"
    new_due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DossierApproved(DossierChanged):
    name: ClassVar[str] = "dossier.approved"


@dataclass(frozen=True, kw_only=True)
class ResultIssued(DossierChanged):
    name: ClassVar[str] = "result.issued"
    result_id: int


@dataclass(frozen=True, kw_only=True)
class ResultRevoked(DossierChanged):
    name: ClassVar[str] = "result.revoked"
    result_id: int


@dataclass(frozen=True, kw_only=True)
class DossierReturned(DossierChanged):
    """The result reached the applicant (status 10): at the desk, online, or delivered by post."""

    name: ClassVar[str] = "dossier.returned"


@dataclass(frozen=True, kw_only=True)
class DossierSentByPost(DossierChanged):
    name: ClassVar[str] = "dossier.sent_by_post"
    shipment_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ParcelDelivered(DossierChanged):
    """The carrier reported the result delivered (verified report)."""

    name: ClassVar[str] = "parcel.delivered"
    shipment_id: int


@dataclass(frozen=True, kw_only=True)
class ParcelReturned(DossierChanged):
    """The carrier could not deliver and returned the parcel to the desk."""

    name: ClassVar[str] = "parcel.returned"
    shipment_id: int


@dataclass(frozen=True, kw_only=True)
class DossierStopped(DossierChanged):
    name: ClassVar[str] = "dossier.stopped"


@dataclass(frozen=True, kw_only=True)
class WithdrawalRequested(DossierChanged):
    name: ClassVar[str] = "dossier.withdrawal_requested"


@dataclass(frozen=True, kw_only=True)
class WithdrawalConfirmed(DossierChanged):
    name: ClassVar[str] = "dossier.withdrawal_confirmed"


@dataclass(frozen=True, kw_only=True)
class WithdrawalDeclined(DossierChanged):
    name: ClassVar[str] = "dossier.withdrawal_declined"


@dataclass(frozen=True, kw_only=True)
class TaskSent(DossierChanged):
    """Joint handling (liên thông) or a consultation sent to other units."""

    name: ClassVar[str] = "task.sent"


@dataclass(frozen=True, kw_only=True)
class TaskAnswered(DossierChanged):
    name: ClassVar[str] = "task.answered"
    task_id: int


@dataclass(frozen=True, kw_only=True)
class TaskLate(DossierChanged):
    """A task passed its deadline unanswered; escalated once (D61 art.19(5))."""

    name: ClassVar[str] = "task.late"
    task_id: int


@dataclass(frozen=True, kw_only=True)
class DocumentIssued(DossierChanged):
    """A statutory slip (receipt, supplement request, refusal, apology, stop...) was issued."""

    name: ClassVar[str] = "document.issued"
    document_id: int
    kind: str = ""
    addressed_to_applicant: bool = False


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(DossierChanged):
    """A settled charge was paid back to the applicant (in full or in part)."""

    name: ClassVar[str] = "payment.refunded"
    payment_id: int | None = None
    amount: int = 0


@dataclass(frozen=True, kw_only=True)
class DossierMessagePosted(DossierChanged):
    """A message in the dossier's conversation between the applicant and the handling unit
    (dossiers.DossierMessage): `from_applicant` tells which way it goes."""

    name: ClassVar[str] = "dossier.message_posted"
    message_id: int
    from_applicant: bool = True


@dataclass(frozen=True, kw_only=True)
class DossierRated(DossierChanged):
    """The applicant rated the dossier (D61 art.31(1)), or changed their rating."""

    name: ClassVar[str] = "dossier.rated"
    rating_id: int
    # Reports (issue 14): whether any criterion was scored 0 (not satisfied), since reports
    # may not read feedback's tables. None on events published before the field existed.
    negative: bool | None = None


# ---------------------------------------------------------------------------------------
# Contact with people who have no account (feedback filed anonymously, questions)


@dataclass(frozen=True, kw_only=True)
class ContactCodeIssued(Event):
    """A one-time code to prove that `address` (an e-mail address or a phone number, by
    `channel`: "email" or "sms") belongs to the person filing without an account."""

    name: ClassVar[str] = "contact.code_issued"
    secret_fields: ClassVar[tuple[str, ...]] = ("address", "code")
    channel: str
    address: str
    code: str
    purpose: str = "feedback"
    language: str = "vi"


# ---------------------------------------------------------------------------------------
# Feedback and petitions (phản ánh, kiến nghị) and questions on procedures. The payload
# carries how to reach the person, since the apps that tell them cannot read feedback's
# tables (they stand beside it on the staircase).


@dataclass(frozen=True, kw_only=True)
class PetitionChanged(Event):
    """A feedback/petition was filed or moved on (`action`: filed, rejected, info_requested,
    info_given, answered, published, escalated); `path` is its tracking page."""

    name: ClassVar[str] = "petition.changed"
    secret_fields: ClassVar[tuple[str, ...]] = ("email", "phone")
    petition_id: int
    code: str
    action: str
    status: str
    agency_id: int | None = None
    dossier_id: int | None = None  # the petition is about this dossier
    user_id: int | None = None
    email: str = ""
    phone: str = ""
    language: str = "vi"
    path: str = ""
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PetitionLate(Event):
    """A petition passed the deadline of its stage (`stage`: reject, info, resolve,
    publish) unanswered: escalated once to the heads of `agency_id`."""

    name: ClassVar[str] = "petition.late"
    petition_id: int
    code: str
    stage: str
    agency_id: int | None = None
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(Event):
    """A question on a procedure's page was answered (and perhaps published in its FAQ)."""

    name: ClassVar[str] = "question.answered"
    secret_fields: ClassVar[tuple[str, ...]] = ("email",)
    question_id: int
    procedure_code: str
    user_id: int | None = None
    email: str = ""
    language: str = "vi"
    path: str = ""


# ---------------------------------------------------------------------------------------
# Notifications


@dataclass(frozen=True, kw_only=True)
class DeliveryReported(Event):
    """A channel's provider reported what became of a message we sent (an SMS gateway's
    signed delivery report): `provider_ref` is the provider's message id."""

    name: ClassVar[str] = "notification.delivery_reported"
    channel: str
    provider_ref: str
    delivered: bool
    status: str = ""
    reason: str = ""
    reported_at: datetime | None = None


# ---------------------------------------------------------------------------------------
# Proactive services (issue 17, Decree 224/2026 arts. 16-17).


@dataclass(frozen=True, kw_only=True)
class ProactiveReminderDue(Event):
    """The daily job found that something of a person's falls due (a badge expiring) and
    recorded one reminder (proactive.Reminder) for them under one rule; the dossier is
    prepared next, when the rule says so, and then the person is told."""

    name: ClassVar[str] = "proactive.reminder_due"
    reminder_id: int
    holder_id: int
    rule_id: int


@dataclass(frozen=True, kw_only=True)
class ProactiveReminderReady(Event):
    """A reminder is ready to be told: its link leads to the prepared dossier when there is
    one (`dossier_id`), else to the procedure to start."""

    name: ClassVar[str] = "proactive.reminder_ready"
    reminder_id: int
    holder_id: int
    dossier_id: int | None = None
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class ProactiveRuleChanged(Event):
    """A reminder rule was added or switched on (or its procedure or date changed): the
    results its procedure issued before must be read for what falls due
    (proactive.items.index_procedure), after commit and outside the administrator's
    request transaction."""

    name: ClassVar[str] = "proactive.rule_changed"
    rule_id: int
    procedure_code: str
