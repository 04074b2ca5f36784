"""Reception (tiếp nhận): accept the dossier or refuse it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.documents.services import register_in_tracking_book
from motcua.dossiers.models import Status
from motcua.dossiers.timeline import record_event
from motcua.workdays import services as workdays
from motcua.workflow.actions.base import (
    close_with_slip,
    enter_step,
    issue,
    required,
    unit_for,
)
from motcua.workflow.actions.inputs import NoteInput, ReasonInput


def accept(act, dossier, actor, data: NoteInput):
    now = timezone.now()
    dossier.accepted_at = now
    time_limit = dossier.procedure.processing_time
    dossier.due_at = workdays.add_working_days(now, time_limit) if time_limit is not None else None
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
        act, dossier, actor, Status.NOT_ACCEPTED, reason=reason, slip={"reasons": reason}
    )
