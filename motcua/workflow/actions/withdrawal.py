"""Withdrawal (công dân yêu cầu rút hồ sơ): asked by the applicant, answered by the agency."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.dossiers.models import DossierEvent, Status
from motcua.dossiers.timeline import record_event
from motcua.payments.charges import outstanding_amount
from motcua.workflow.actions.base import (
    Preview,
    document_preview,
    finish,
    issue,
    leave_awaiting_payment,
    refund_if_paid,
    required,
)
from motcua.workflow.actions.inputs import NoteInput, ReasonInput


def request_withdrawal(act, dossier, actor, data: ReasonInput):
    reason = required(data.reason, _("Cho biết lý do rút hồ sơ."))
    before = dossier.status
    dossier.resume_status = before
    dossier.status = Status.WITHDRAWAL_REQUESTED
    record_event(
        dossier=dossier, action=act.event_name, actor=actor, from_status=before, note=reason
    )


WITHDRAWN = gettext_lazy("Dừng xử lý theo đề nghị rút hồ sơ của người nộp.")


def confirm_withdrawal(act, dossier, actor, data: NoteInput):
    finish(dossier, Status.STOPPED, timezone.now())
    reason = str(WITHDRAWN)
    event = record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.WITHDRAWAL_REQUESTED,
        note=reason,
    )
    issue(act, dossier, actor, event, withdrawal_notice(data))
    refund_if_paid(dossier, actor, reason)


def withdrawal_notice(data: NoteInput) -> dict:
    """The notice of stop a confirmed withdrawal issues: the reason, and the officer's note."""
    return {"reason": " ".join(p for p in (str(WITHDRAWN), data.note.strip()) if p)}


def preview_confirm_withdrawal(act, dossier, actor, data: NoteInput) -> Preview:
    return document_preview(act, dossier, actor, withdrawal_notice(data))


def decline_withdrawal(act, dossier, actor, data: ReasonInput):
    reason = required(data.reason, _("Nêu lý do không đồng ý."))
    dossier.status = dossier.resume_status or Status.SUBMITTED
    dossier.resume_status = None
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        # The withdrawal request reused resume_status; the supplement must still lead back
        # to where the dossier was when it was asked for (its request event says where).
        requested = (
            DossierEvent.objects.filter(dossier=dossier, action="request_supplement")
            .order_by("-at", "-id")
            .only("from_status")
            .first()
        )
        dossier.resume_status = requested.from_status if requested else None
    if dossier.status == Status.AWAITING_PAYMENT and not outstanding_amount(dossier):
        # Paid while the withdrawal request was pending: nothing left to wait for.
        leave_awaiting_payment(dossier)
    record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.WITHDRAWAL_REQUESTED,
        note=reason,
    )
