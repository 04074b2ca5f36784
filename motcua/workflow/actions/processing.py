"""Processing (đang xử lý): hand-overs between steps, approval, and the late dossier's
apology with a new appointment (D61 art.19(9)) or stop (art.19(8))."""

from datetime import date, datetime, time

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.dossiers.models import Status
from motcua.dossiers.timeline import record_event
from motcua.results.services import ResultUnavailable, issue_result, preview_result_html
from motcua.workdays import services as workdays
from motcua.workflow.actions.base import (
    Preview,
    TransitionRefused,
    as_it_will_be,
    close_with_slip,
    document_preview,
    enter_step,
    finish,
    handover_preview,
    issue,
    refuse_while_tasks_open,
    required,
    unit_for,
    window_seconds,
)
from motcua.workflow.actions.inputs import ExtendInput, NoteInput, ReasonInput


def forward(act, dossier, actor, data: NoteInput):
    next_step = dossier.workflow.next_step(dossier.step_key)
    refuse_while_tasks_open(dossier)
    enter_step(
        dossier,
        next_step,
        actor,
        action_name=act.event_name,
        note=_("Chuyển %(unit)s xử lý.") % {"unit": unit_for(dossier, next_step).name},
        internal_note=data.note.strip(),
    )


def step_to_send_back_to(dossier):
    """The step before the dossier's (never reception), or TransitionRefused."""
    previous = dossier.workflow.previous_step(dossier.step_key)
    if previous is None or previous == dossier.workflow.steps[0]:
        raise TransitionRefused(_("Không có bước xử lý trước để trả lại."))
    return previous


def send_back(act, dossier, actor, data: ReasonInput):
    reason = required(data.reason, _("Nêu lý do trả lại."))
    previous = step_to_send_back_to(dossier)
    enter_step(
        dossier,
        previous,
        actor,
        action_name=act.event_name,
        note=_("Chuyển lại %(unit)s xử lý.") % {"unit": unit_for(dossier, previous).name},
        internal_note=reason,
    )


def approve(act, dossier, actor, data: NoteInput):
    refuse_while_tasks_open(dossier)
    now = timezone.now()
    finish(dossier, Status.PROCESSED, now)
    last = dossier.workflow.steps[-1]
    approved = enter_step(
        dossier,
        last,
        actor,
        action_name=act.event_name,
        from_status=Status.PROCESSING,
        note=_("Đã có kết quả giải quyết; chuyển %(unit)s trả kết quả.")
        % {"unit": unit_for(dossier, last).name},
        internal_note=data.note.strip(),
    )
    try:
        # The signer's approval is the signature: the result PDF is generated from the
        # procedure's template and signed (PAdES) with the agency's key, or nothing changes.
        issue_result(dossier, actor=actor, event=approved)
    except ResultUnavailable as exc:
        raise TransitionRefused(str(exc)) from exc


def latest_new_due_date(dossier) -> date:
    """The latest new due date an apology may give: EXTENSION_MAX_WORKING_DAYS working days
    after the current one. D61 art.19(9) sets no length, only "once"; without a bound a date
    in 9999 parks the dossier for good with no refusal to appeal (decision 0029)."""
    latest = workdays.add_working_days(dossier.due_at, settings.EXTENSION_MAX_WORKING_DAYS)
    return timezone.localtime(latest).date()


def extend(act, dossier, actor, data: ExtendInput):
    new_due, details = new_appointment(dossier, data, timezone.now())
    dossier.due_at = new_due
    dossier.extension_count += 1
    event = record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.PROCESSING,
        note=_("Hẹn lại ngày trả kết quả: %(date)s. Lý do: %(reason)s")
        % {
            "date": timezone.localtime(new_due).strftime("%d/%m/%Y"),
            "reason": details["reason"],
        },
        data=details,
    )
    issue(act, dossier, actor, event, details)
    return {"new_due_at": new_due}


def new_appointment(dossier, data: ExtendInput, now) -> tuple[datetime, dict]:
    """The new due date an apology (form 04) gives and what the slip says, or the refusal:
    the checks of D61 art.19(9) the action and its preview share."""
    if dossier.extension_count:
        raise TransitionRefused(_("Mỗi hồ sơ chỉ được hẹn lại ngày trả kết quả một lần."))
    if dossier.due_at is None:
        raise TransitionRefused(_("Hồ sơ chưa có ngày hẹn trả."))
    reason = required(data.reason, _("Nêu lý do chậm trả kết quả."))
    if workdays.working_seconds_between(now, dossier.due_at) < window_seconds():
        raise TransitionRefused(
            _(
                "Phiếu xin lỗi phải gửi chậm nhất 01 ngày làm việc trước ngày hẹn trả "
                "(%(due)s); đã quá thời điểm đó."
            )
            % {"due": formats.date_format(timezone.localtime(dossier.due_at), "H:i d/m/Y")}
        )
    new_date = data.new_due_date
    old_due = timezone.localtime(dossier.due_at)
    if new_date <= old_due.date():
        raise TransitionRefused(
            _("Ngày hẹn mới phải sau ngày hẹn cũ (%s).") % old_due.strftime("%d/%m/%Y"),
            field="new_due_date",
        )
    latest = latest_new_due_date(dossier)
    if new_date > latest:
        raise TransitionRefused(
            _(
                "Ngày hẹn mới chậm nhất là %(date)s: chỉ được hẹn lại không quá %(n)s ngày "
                "làm việc sau ngày hẹn cũ."
            )
            % {"date": latest.strftime("%d/%m/%Y"), "n": settings.EXTENSION_MAX_WORKING_DAYS},
            field="new_due_date",
        )
    if not workdays.is_working_day(new_date):
        raise TransitionRefused(_("Ngày hẹn mới phải là ngày làm việc."), field="new_due_date")
    new_due = timezone.make_aware(datetime.combine(new_date, old_due.time() or time(17)))
    details = {
        "reason": reason,
        "new_due_at": new_due.isoformat(),
        "old_due_at": old_due.isoformat(),
    }
    return new_due, details


def stop(act, dossier, actor, data: ReasonInput):
    reason = required(data.reason, _("Nêu rõ lý do dừng xử lý hồ sơ."))
    close_with_slip(act, dossier, actor, Status.STOPPED, reason=reason, slip=stop_notice(data))


def stop_notice(data: ReasonInput) -> dict:
    return {"reason": data.reason.strip()}


# ---------------------------------------------------------------------------------------
# Previews (decision 0053): what each action will issue and set, before it is confirmed.

NEW_DUE_LABEL = gettext_lazy("Hạn trả kết quả mới")
RESULT_TITLE = gettext_lazy("Kết quả giải quyết sẽ được ký")


def preview_forward(act, dossier, actor, data: NoteInput) -> Preview:
    return handover_preview(dossier, dossier.workflow.next_step(dossier.step_key))


def preview_send_back(act, dossier, actor, data: ReasonInput) -> Preview:
    return handover_preview(dossier, step_to_send_back_to(dossier))


def preview_approve(act, dossier, actor, data: NoteInput) -> Preview:
    """The result the approval signs, and the desk that will return it."""
    try:
        html = preview_result_html(dossier, actor=actor)
    except ResultUnavailable as exc:
        raise TransitionRefused(str(exc)) from exc
    last = dossier.workflow.steps[-1]
    return Preview(
        html=html,
        title=str(RESULT_TITLE),
        unit_name=unit_for(dossier, last).name,
        content={"form_data": dossier.form_data},
    )


def preview_extend(act, dossier, actor, data: ExtendInput) -> Preview:
    new_due, details = new_appointment(dossier, data, timezone.now())
    future = as_it_will_be(dossier, due_at=new_due, extension_count=dossier.extension_count + 1)
    return document_preview(
        act, future, actor, details, due_at=new_due, due_label=str(NEW_DUE_LABEL)
    )


def preview_stop(act, dossier, actor, data: ReasonInput) -> Preview:
    return document_preview(act, dossier, actor, stop_notice(data))
