"""Reception (tiếp nhận): accept the dossier or refuse it."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.documents.services import register_in_tracking_book
from motcua.dossiers.models import Status
from motcua.dossiers.timeline import record_event
from motcua.workflow.actions.base import (
    Preview,
    as_it_will_be,
    close_with_slip,
    document_preview,
    enter_step,
    handover_preview,
    issue,
    required,
    statutory_due,
    unit_for,
)
from motcua.workflow.actions.inputs import NoteInput, ReasonInput


def accept(act, dossier, actor, data: NoteInput):
    now = timezone.now()
    dossier.accepted_at = now
    dossier.due_at = statutory_due(dossier, now)
    dossier.original_due_at = dossier.due_at
    desk = dossier.current_unit
    dossier.status = Status.ACCEPTED
    accepted = record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.SUBMITTED,
        note=_("Hồ sơ đã được tiếp nhận tại %(unit)s.") % {"unit": desk.name},
    )
    register_in_tracking_book(dossier, desk)
    issue(act, dossier, actor, accepted)
    dossier.status = Status.PROCESSING
    next_step = dossier.workflow.next_step(dossier.step_key)
    enter_step(
        dossier,
        next_step,
        actor,
        action_name="forward",
        from_status=Status.ACCEPTED,
        note=_("Chuyển %(unit)s xử lý.") % {"unit": unit_for(dossier, next_step).name},
        internal_note=data.note.strip(),
    )
    return {"due_at": dossier.due_at}


def refuse(act, dossier, actor, data: ReasonInput):
    reason = required(data.reason, _("Nêu rõ lý do từ chối tiếp nhận hồ sơ."))
    close_with_slip(
        act, dossier, actor, Status.NOT_ACCEPTED, reason=reason, slip=refusal_slip(data)
    )


DUE_LABEL = gettext_lazy("Hạn trả kết quả")


def preview_accept(act, dossier, actor, data: NoteInput) -> Preview:
    """The receipt (form 01) with the due date accepting now sets, and the unit it goes to."""
    now = timezone.now()
    due = statutory_due(dossier, now)
    future = as_it_will_be(
        dossier, accepted_at=now, due_at=due, original_due_at=due, status=Status.ACCEPTED
    )
    handover = handover_preview(future, future.workflow.next_step(future.step_key))
    return document_preview(
        act,
        future,
        actor,
        {},
        due_at=due,
        due_label=str(DUE_LABEL),
        unit_name=handover.unit_name,
        step_due_at=handover.step_due_at,
    )


def refusal_slip(data: ReasonInput) -> dict:
    return {"reasons": data.reason.strip()}


def preview_refuse(act, dossier, actor, data: ReasonInput) -> Preview:
    return document_preview(act, dossier, actor, refusal_slip(data))
