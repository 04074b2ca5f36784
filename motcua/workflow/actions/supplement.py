"""Supplement (yêu cầu bổ sung, hoàn thiện hồ sơ): asked once by the agency, sent back by
the applicant."""

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.dossiers import selectors
from motcua.dossiers.models import Status
from motcua.dossiers.timeline import record_event
from motcua.workdays import services as workdays
from motcua.workflow.actions.base import (
    Preview,
    TransitionRefused,
    document_preview,
    issue,
    pause_clock,
    restart_clock,
    to_days,
    window_seconds,
)
from motcua.workflow.actions.inputs import NoteInput, RequestSupplementInput


def request_supplement(act, dossier, actor, data: RequestSupplementInput):
    now = timezone.now()
    check_supplement_allowed(dossier, now)
    details = supplement_details(data, actor)
    items = details["items"]
    if not items or any(not i["reason"] for i in items):
        raise TransitionRefused(_("Chọn giấy tờ cần bổ sung và nêu lý do cho từng giấy tờ."))
    if dossier.status == Status.PROCESSING:
        pause_clock(dossier, now)
    before = dossier.status
    dossier.resume_status = before
    dossier.status = Status.SUPPLEMENT_REQUESTED
    dossier.supplement_count += 1
    event = record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=before,
        note="; ".join(f"{i['component']}: {i['reason']}" for i in items),
        data=details,
    )
    issue(act, dossier, actor, event, details)


def check_supplement_allowed(dossier, now) -> None:
    """Refuse a second request, or one after the days the workflow allows (D61 art.15, 19)."""
    if dossier.supplement_count:
        raise TransitionRefused(
            _("Chỉ được yêu cầu bổ sung hồ sơ một lần (Nghị định 61/2018/NĐ-CP, Điều 15).")
        )
    if dossier.status == Status.PROCESSING:
        limit = to_days(dossier.workflow.definition.get("supplement_within_days", 3))
        if (
            dossier.accepted_at
            and workdays.working_seconds_between(dossier.accepted_at, now)
            > limit * window_seconds()
        ):
            raise TransitionRefused(
                _(
                    "Đã quá %(days)s ngày làm việc kể từ khi tiếp nhận: không còn được yêu cầu "
                    "bổ sung (Nghị định 61/2018/NĐ-CP, Điều 19)."
                )
                % {"days": f"{limit.normalize():f}".replace(".", ",")}
            )


def supplement_details(data: RequestSupplementInput, actor) -> dict:
    """What the supplement request (form 02) lists: each paper with its reason, the note and
    the officer to contact."""
    items = [
        {"component": i.component.strip(), "reason": i.reason.strip()}
        for i in data.items
        if i.component.strip()
    ]
    return {"items": items, "note": data.note.strip(), "contact": actor.full_name}


CLOCK_NOTE = gettext_lazy(
    "Thời hạn giải quyết tạm dừng từ khi gửi yêu cầu; khi người nộp bổ sung đủ, thời hạn được "
    "tính lại từ đầu (Nghị định 61/2018/NĐ-CP, Điều 19)."
)


def preview_request_supplement(act, dossier, actor, data: RequestSupplementInput) -> Preview:
    check_supplement_allowed(dossier, timezone.now())
    preview = document_preview(act, dossier, actor, supplement_details(data, actor))
    if dossier.status == Status.PROCESSING:
        return replace(preview, note=str(CLOCK_NOTE))
    return preview


def submit_supplement(act, dossier, actor, data: NoteInput):
    if not data.note.strip() and not selectors.has_supplement_files(dossier):
        # The supplement may be asked for only once: an empty one would waste it.
        raise TransitionRefused(
            _(
                "Chưa có giấy tờ bổ sung nào. Tải lên giấy tờ được yêu cầu, hoặc ghi rõ cách "
                "quý vị bổ sung (ví dụ nộp bản giấy tại Bộ phận Một cửa)."
            ),
            field="note",
        )
    now = timezone.now()
    back_to = dossier.resume_status or Status.SUBMITTED
    if back_to == Status.PROCESSING:
        restart_clock(dossier, now)
        step = dossier.workflow.step(dossier.step_key)
        days = to_days(step["days"])
        dossier.step_due_at = workdays.add_working_days(now, days) if days > 0 else dossier.due_at
    dossier.status = back_to
    dossier.resume_status = None
    record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=Status.SUPPLEMENT_REQUESTED,
        note=data.note.strip() or _("Đã nộp hồ sơ bổ sung."),
    )
