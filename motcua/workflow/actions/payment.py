"""Fees and charges (nghĩa vụ tài chính): asked for by the officer, paid at the counter or
online."""

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.money import format_vnd
from motcua.dossiers.models import Status
from motcua.dossiers.timeline import record_event
from motcua.payments import charges, settlement
from motcua.workflow.actions.base import (
    TransitionRefused,
    leave_awaiting_payment,
    pause_clock,
)
from motcua.workflow.actions.inputs import (
    FeeDueInput,
    NoteInput,
    PaymentReceivedInput,
    RequestPaymentInput,
)


def request_payment(act, dossier, actor, data: RequestPaymentInput):
    if data.amount is None:
        # Nothing typed: the amount the procedure's fee schedule gives for this form.
        quote = charges.quote_for_dossier(dossier)
        amount, lines = quote.amount, quote.lines
    else:
        amount, lines = data.amount, None
    if amount <= 0:
        raise TransitionRefused(_("Nhập số tiền phải nộp (đồng), lớn hơn 0."))
    now = timezone.now()
    if dossier.workflow.definition.get("payment_pauses_clock"):
        pause_clock(dossier, now)
    dossier.status = Status.AWAITING_PAYMENT
    event = record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.PROCESSING,
        note=data.note.strip()
        or _("Đề nghị nộp %(amount)s đồng.") % {"amount": format_vnd(amount)},
        data={"amount": amount},
    )
    charges.open_charge(dossier, amount=amount, lines=lines, actor=actor, event=event)
    return {"amount": amount}


def confirm_payment(act, dossier, actor, data: NoteInput):
    """Payment made at the counter or by transfer, confirmed by the officer who saw it."""
    note = data.note.strip() or _("Đã nhận phí, lệ phí.")
    try:
        paid = settlement.record_counter_payment(dossier, actor=actor, note=note)
    except settlement.PaymentRefused as exc:
        raise TransitionRefused(str(exc)) from exc
    leave_awaiting_payment(dossier)
    record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.AWAITING_PAYMENT,
        note=note,
    )
    return {"payment_id": paid.pk, "amount": paid.amount, "method": paid.method}


def payment_received(act, dossier, actor, data: PaymentReceivedInput):
    """The gateway's verified notification settled the charge (payments.settlement)."""
    payment = data.payment
    leave_awaiting_payment(dossier)
    record_event(
        dossier=dossier,
        action=act.event_name,
        from_status=Status.AWAITING_PAYMENT,
        note=_("Đã nhận %(amount)s đồng qua %(gateway)s, mã giao dịch %(ref)s.")
        % {
            "amount": format_vnd(payment.amount),
            "gateway": payment.gateway_name,
            "ref": payment.gateway_transaction_no or payment.reference,
        },
        data={"payment": payment.pk},
    )


def await_payment(act, dossier, actor, data: FeeDueInput):
    """A fee due with the application: the dossier waits in status 6 before the desk sees it."""
    dossier.status = Status.AWAITING_PAYMENT
    record_event(
        dossier=dossier,
        action=act.event_name,
        from_status=Status.SUBMITTED,
        note=_("Nộp phí, lệ phí %(amount)s đồng để hồ sơ được chuyển tới bộ phận tiếp nhận.")
        % {"amount": format_vnd(data.amount)},
        data={"amount": data.amount},
    )
    return {"amount": data.amount}
