"""The dossier state machine: one table of actions and one entry point, `perform`.

Every change of a dossier's status after submission goes through `perform`, which locks
the dossier row, checks the actor's role and unit, the current state and the legal rules,
applies the change, writes the timeline event (the append-only audit trail) and issues the
statutory document, all in one transaction. Anything else is refused with a message the
actor can act on. Statuses and their codes: DOMAIN.md section 4.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role, Unit
from motcua.core.money import format_vnd
from motcua.dossiers import access
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.workdays import services as workdays


class TransitionRefused(Exception):
    """The action is not allowed now; the message says why, in the actor's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# SYSTEM actions are taken by MotCua itself on a verified outside signal (a payment
# gateway's notification, the postal service's delivery report); `actor` is None.
OFFICER, APPLICANT, SYSTEM = "officer", "applicant", "system"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_statuses: frozenset
    actor: str = OFFICER
    # The permission the current workflow step must grant ("supplement", "stop", ...).
    step_permission: str | None = None
    # Which step the dossier must be at: "first", "signing", "last", "middle" or None.
    at_step: str | None = None
    # What the actor must give; the officer page asks for exactly these.
    needs: tuple = ()
    danger: bool = False
    handler: Callable = field(default=None, compare=False, repr=False)


ACTIONS: dict[str, Action] = {}


def action(name, label, from_statuses, **options):
    def register(handler):
        ACTIONS[name] = Action(
            name=name,
            label=label,
            from_statuses=frozenset(from_statuses),
            handler=handler,
            **options,
        )
        return handler

    return register


# ---------------------------------------------------------------------------------------
# Entry point


def perform(
    dossier_id: int, name: str, actor, *, expected_version: int | None = None, **params
) -> Dossier:
    """Carry out action `name` on the dossier for `actor`, or raise TransitionRefused.

    `expected_version` is the version the actor's page showed: when someone else changed
    the dossier in between, the actor is told who did what instead of acting blind. Two
    officers acting at once are serialised by the row lock: exactly one wins.
    """
    act = ACTIONS.get(name)
    if act is None:
        raise TransitionRefused(_("Thao tác không tồn tại."))
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "receiving_agency", "workflow", "current_unit")
            .get(pk=dossier_id)
        )
        if expected_version is not None and dossier.version != expected_version:
            raise TransitionRefused(_stale_message(dossier))
        check(act, dossier, actor, params)
        act.handler(dossier, actor, params)
        dossier.version += 1
        dossier.save()
    return dossier


def check(act: Action, dossier: Dossier, actor, params=None) -> None:
    """Raise TransitionRefused unless `actor` may do `act` on `dossier` now."""
    if dossier.status not in act.from_statuses:
        raise TransitionRefused(
            _("Không thể “%(action)s”: hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": act.label, "status": dossier.get_status_display()}
        )
    if act.actor == SYSTEM:
        if actor is not None:
            raise TransitionRefused(_("Thao tác này do hệ thống tự thực hiện."))
        return
    if act.actor == APPLICANT:
        if actor is None or actor.pk != dossier.applicant_id:
            raise TransitionRefused(_("Chỉ người nộp hồ sơ được thực hiện thao tác này."))
        return
    if actor is None or getattr(actor, "kind", None) != "officer":
        raise TransitionRefused(_("Chỉ cán bộ được giao xử lý mới được thực hiện thao tác này."))
    if dossier.workflow_id is None:
        raise TransitionRefused(
            _("Thủ tục này chưa có quy trình xử lý; quản trị cơ quan cần khai báo quy trình trước.")
        )
    if act.name == "confirm_withdrawal" or act.name == "decline_withdrawal":
        # The unit holding the dossier, or the desk, answers the applicant's request.
        if not (
            access.has_role(actor, dossier.current_unit_id, dossier.current_role)
            or access.is_desk_officer(actor, dossier.receiving_agency_id)
        ):
            raise TransitionRefused(_not_yours(dossier))
        return
    if not access.has_role(actor, dossier.current_unit_id, dossier.current_role):
        raise TransitionRefused(_not_yours(dossier))
    workflow = dossier.workflow
    index = workflow.step_index(dossier.step_key)
    step = workflow.steps[index]
    last = index == len(workflow.steps) - 1
    position = {
        "first": index == 0,
        "signing": bool(step.get("signs")),
        "last": last,
        "middle": index > 0 and not last and not step.get("signs"),
    }
    if act.at_step and not position[act.at_step]:
        raise TransitionRefused(
            _("Không thể “%(action)s” ở bước “%(step)s”.")
            % {"action": act.label, "step": step["name"]}
        )
    if act.step_permission and act.step_permission not in step.get("actions", []):
        raise TransitionRefused(
            _("Quy trình không cho phép “%(action)s” ở bước “%(step)s”.")
            % {"action": act.label, "step": step["name"]}
        )


def available_actions(dossier: Dossier, actor) -> list[Action]:
    """The actions `actor` may take on `dossier` now (the buttons the page shows)."""
    allowed = []
    for act in ACTIONS.values():
        if dossier.status not in act.from_statuses:
            continue  # what check() refuses first, without building its message
        try:
            check(act, dossier, actor)
        except TransitionRefused:
            continue
        allowed.append(act)
    return allowed


# ---------------------------------------------------------------------------------------
# Helpers


def _stale_message(dossier: Dossier) -> str:
    last = (
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    who = last.actor.full_name if last and last.actor else _("người khác")
    when = formats.date_format(timezone.localtime(last.at), "H:i d/m/Y") if last else ""
    return _(
        "Hồ sơ vừa được %(who)s cập nhật lúc %(when)s, hiện ở trạng thái “%(status)s”. "
        "Thao tác của bạn chưa được thực hiện; hãy xem lại hồ sơ."
    ) % {"who": who, "when": when, "status": dossier.get_status_display()}


def _not_yours(dossier: Dossier) -> str:
    unit = dossier.current_unit.name if dossier.current_unit else "?"
    return _("Hồ sơ đang chờ %(role)s của %(unit)s xử lý; bạn không được giao bước này.") % {
        "role": Role(dossier.current_role).label.lower() if dossier.current_role else "?",
        "unit": unit,
    }


def _required(params, key, message):
    value = params.get(key)
    if isinstance(value, str):
        value = value.strip()
    if not value:
        raise TransitionRefused(message)
    return value


def _days(value) -> Decimal:
    return Decimal(str(value))


def record_event(
    dossier, actor, action_name, *, from_status, to_status=None, note="", public=True, **extra
):
    """One line of the dossier's timeline (the append-only audit trail), where it stands now.

    Every writer of back-office events uses this: the state machine, and the services that
    record what happened outside it (escalations, payments due at submission, the post).
    """
    return DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        action=action_name,
        from_status=from_status,
        to_status=to_status if to_status is not None else dossier.status,
        note=note,
        unit_name=dossier.current_unit.name if dossier.current_unit_id else "",
        is_public=public,
        step_key=dossier.step_key,
        **extra,
    )


def _unit_for(dossier, step) -> Unit:
    unit = Unit.objects.filter(
        agency_id=dossier.receiving_agency_id, code=step["unit"], is_active=True
    ).first()
    if unit is None:
        raise TransitionRefused(
            _("Cơ quan chưa có đơn vị “%(unit)s” mà bước “%(step)s” cần.")
            % {"unit": step["unit"], "step": step["name"]}
        )
    return unit


def _enter_step(dossier, step, actor, *, action_name, note="", internal_note="", from_status=None):
    """Hand the dossier to `step`'s unit: one row of the processing control sheet."""
    now = timezone.now()
    previous_unit = dossier.current_unit
    unit = _unit_for(dossier, step)
    dossier.step_key = step["key"]
    dossier.current_unit = unit
    dossier.current_role = step["role"]
    days = _days(step["days"])
    step_due = workdays.add_working_days(now, days) if days > 0 else dossier.due_at
    if dossier.due_at and step_due and step_due > dossier.due_at:
        step_due = dossier.due_at
    dossier.step_due_at = step_due
    access.grant(dossier, unit)
    return record_event(
        dossier,
        actor,
        action_name,
        from_status=from_status if from_status is not None else dossier.status,
        note=note,
        from_unit_name=previous_unit.name if previous_unit else "",
        to_unit_name=unit.name,
        step_due_at=step_due,
        data={"note": internal_note} if internal_note else {},
    )


def _issue(dossier, kind, actor, event, data=None):
    from motcua.documents.services import issue_document

    return issue_document(dossier=dossier, kind=kind, actor=actor, event=event, data=data or {})


def _window_seconds() -> int:
    return workdays.office_hours().seconds


def _pause_clock(dossier, now):
    if dossier.due_at:
        dossier.remaining_seconds = workdays.working_seconds_between(now, dossier.due_at)
    dossier.clock_paused_at = now


def _resume_clock(dossier, now):
    if dossier.clock_paused_at and dossier.remaining_seconds is not None:
        days = Decimal(dossier.remaining_seconds) / Decimal(_window_seconds())
        dossier.due_at = workdays.add_working_days(now, days)
    dossier.clock_paused_at = None
    dossier.remaining_seconds = None


def _restart_clock(dossier, now):
    """D61 art.19(4): when the completed dossier is back, the time counts again from zero."""
    time_limit = dossier.procedure.processing_time
    if time_limit is not None:
        dossier.due_at = workdays.add_working_days(now, time_limit)
        dossier.original_due_at = dossier.due_at
    dossier.clock_paused_at = None
    dossier.remaining_seconds = None


def _refund_if_paid(dossier, actor, reason):
    """A dossier refused or stopped after its fee was paid gets its refund recorded."""
    from motcua.payments import services as payments

    payments.refund_if_paid(dossier, actor=actor, reason=reason)


def _finish(dossier, status, now):
    dossier.status = status
    dossier.finished_at = now
    dossier.step_due_at = None


# ---------------------------------------------------------------------------------------
# Reception (tiếp nhận)


@action(
    "accept",
    gettext_lazy("Tiếp nhận hồ sơ"),
    {Status.SUBMITTED},
    at_step="first",
    needs=("note",),
)
def _accept(dossier, actor, params):
    from motcua.documents.services import register_in_tracking_book

    now = timezone.now()
    dossier.accepted_at = now
    time_limit = dossier.procedure.processing_time
    dossier.due_at = workdays.add_working_days(now, time_limit) if time_limit is not None else None
    dossier.original_due_at = dossier.due_at
    desk = dossier.current_unit
    dossier.status = Status.ACCEPTED
    accepted = record_event(
        dossier,
        actor,
        "accept",
        from_status=Status.SUBMITTED,
        note=_("Hồ sơ đã được tiếp nhận tại %(unit)s.") % {"unit": desk.name},
    )
    register_in_tracking_book(dossier, desk)
    _issue(dossier, "receipt", actor, accepted)
    dossier.status = Status.PROCESSING
    next_step = dossier.workflow.next_step(dossier.step_key)
    _enter_step(
        dossier,
        next_step,
        actor,
        action_name="forward",
        from_status=Status.ACCEPTED,
        note=_("Chuyển %(unit)s xử lý.") % {"unit": _unit_for(dossier, next_step).name},
        internal_note=params.get("note", ""),
    )


@action(
    "refuse",
    gettext_lazy("Từ chối tiếp nhận"),
    {Status.SUBMITTED},
    at_step="first",
    step_permission="refuse",
    needs=("reason",),
    danger=True,
)
def _refuse(dossier, actor, params):
    reason = _required(params, "reason", _("Nêu rõ lý do từ chối tiếp nhận hồ sơ."))
    _finish(dossier, Status.NOT_ACCEPTED, timezone.now())
    event = record_event(dossier, actor, "refuse", from_status=Status.SUBMITTED, note=reason)
    _issue(dossier, "refusal", actor, event, {"reasons": reason})
    _refund_if_paid(dossier, actor, reason)


# ---------------------------------------------------------------------------------------
# Supplement (yêu cầu bổ sung, hoàn thiện hồ sơ)


@action(
    "request_supplement",
    gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    {Status.SUBMITTED, Status.PROCESSING},
    step_permission="supplement",
    needs=("items", "note"),
)
def _request_supplement(dossier, actor, params):
    if dossier.supplement_count:
        raise TransitionRefused(
            _("Chỉ được yêu cầu bổ sung hồ sơ một lần (Nghị định 61/2018/NĐ-CP, Điều 15).")
        )
    items = [
        {
            "component": str(i.get("component", "")).strip(),
            "reason": str(i.get("reason", "")).strip(),
        }
        for i in params.get("items") or []
        if str(i.get("component", "")).strip()
    ]
    if not items or any(not i["reason"] for i in items):
        raise TransitionRefused(_("Chọn giấy tờ cần bổ sung và nêu lý do cho từng giấy tờ."))
    now = timezone.now()
    if dossier.status == Status.PROCESSING:
        limit = _days(dossier.workflow.definition.get("supplement_within_days", 3))
        if (
            dossier.accepted_at
            and workdays.working_seconds_between(dossier.accepted_at, now)
            > limit * _window_seconds()
        ):
            raise TransitionRefused(
                _(
                    "Đã quá %(days)s ngày làm việc kể từ khi tiếp nhận: không còn được yêu cầu "
                    "bổ sung (Nghị định 61/2018/NĐ-CP, Điều 19)."
                )
                % {"days": f"{limit.normalize():f}".replace(".", ",")}
            )
        _pause_clock(dossier, now)
    before = dossier.status
    dossier.resume_status = before
    dossier.status = Status.SUPPLEMENT_REQUESTED
    dossier.supplement_count += 1
    data = {"items": items, "note": str(params.get("note", "")).strip(), "contact": actor.full_name}
    event = record_event(
        dossier,
        actor,
        "request_supplement",
        from_status=before,
        note="; ".join(f"{i['component']}: {i['reason']}" for i in items),
        data=data,
    )
    _issue(dossier, "supplement", actor, event, data)


@action(
    "submit_supplement",
    gettext_lazy("Nộp hồ sơ bổ sung"),
    {Status.SUPPLEMENT_REQUESTED},
    actor=APPLICANT,
    needs=("note",),
)
def _submit_supplement(dossier, actor, params):
    now = timezone.now()
    back_to = dossier.resume_status or Status.SUBMITTED
    if back_to == Status.PROCESSING:
        _restart_clock(dossier, now)
        step = dossier.workflow.step(dossier.step_key)
        days = _days(step["days"])
        dossier.step_due_at = workdays.add_working_days(now, days) if days > 0 else dossier.due_at
    dossier.status = back_to
    dossier.resume_status = None
    record_event(
        dossier,
        actor,
        "submit_supplement",
        from_status=Status.SUPPLEMENT_REQUESTED,
        note=str(params.get("note", "")).strip() or _("Đã nộp hồ sơ bổ sung."),
    )


# ---------------------------------------------------------------------------------------
# Processing (đang xử lý): hand-overs between steps


@action(
    "forward",
    gettext_lazy("Chuyển bước tiếp theo"),
    {Status.PROCESSING},
    at_step="middle",
    needs=("note",),
)
def _forward(dossier, actor, params):
    next_step = dossier.workflow.next_step(dossier.step_key)
    if dossier.open_tasks:
        raise TransitionRefused(
            _("Còn %(n)s nhiệm vụ liên thông hoặc xin ý kiến chưa có trả lời.")
            % {"n": dossier.open_tasks}
        )
    _enter_step(
        dossier,
        next_step,
        actor,
        action_name="forward",
        note=_("Chuyển %(unit)s xử lý.") % {"unit": _unit_for(dossier, next_step).name},
        internal_note=str(params.get("note", "")).strip(),
    )


@action(
    "send_back",
    gettext_lazy("Trả lại bước trước"),
    {Status.PROCESSING},
    step_permission="send_back",
    needs=("reason",),
)
def _send_back(dossier, actor, params):
    reason = _required(params, "reason", _("Nêu lý do trả lại."))
    previous = dossier.workflow.previous_step(dossier.step_key)
    if previous is None or previous == dossier.workflow.steps[0]:
        raise TransitionRefused(_("Không có bước xử lý trước để trả lại."))
    _enter_step(
        dossier,
        previous,
        actor,
        action_name="send_back",
        note=_("Chuyển lại %(unit)s xử lý.") % {"unit": _unit_for(dossier, previous).name},
        internal_note=reason,
    )


@action(
    "approve",
    gettext_lazy("Phê duyệt kết quả"),
    {Status.PROCESSING},
    at_step="signing",
    needs=("note",),
)
def _approve(dossier, actor, params):
    if dossier.open_tasks:
        raise TransitionRefused(
            _("Còn %(n)s nhiệm vụ liên thông hoặc xin ý kiến chưa có trả lời.")
            % {"n": dossier.open_tasks}
        )
    now = timezone.now()
    _finish(dossier, Status.PROCESSED, now)
    last = dossier.workflow.steps[-1]
    approved = _enter_step(
        dossier,
        last,
        actor,
        action_name="approve",
        from_status=Status.PROCESSING,
        note=_("Đã có kết quả giải quyết; chuyển %(unit)s trả kết quả.")
        % {"unit": _unit_for(dossier, last).name},
        internal_note=str(params.get("note", "")).strip(),
    )
    from motcua.results.services import ResultUnavailable, issue_result

    try:
        # The signer's approval is the signature: the result PDF is generated from the
        # procedure's template and signed (PAdES) with the agency's key, or nothing changes.
        issue_result(dossier, actor=actor, event=approved)
    except ResultUnavailable as exc:
        raise TransitionRefused(str(exc)) from exc


@action(
    "return_result",
    gettext_lazy("Trả kết quả"),
    {Status.PROCESSED},
    at_step="last",
    needs=("note",),
)
def _return_result(dossier, actor, params):
    from motcua.payments.services import outstanding_amount

    due = outstanding_amount(dossier)
    if due:
        raise TransitionRefused(
            _("Người nộp còn %(amount)s đồng phí, lệ phí chưa nộp; chưa trả kết quả được.")
            % {"amount": format_vnd(due)}
        )
    note = str(params.get("note", "")).strip()
    if dossier.delivery_method == Dossier.Delivery.POST:
        _send_by_post(dossier, actor, note)
        return
    now = timezone.now()
    dossier.status = Status.RETURNED
    dossier.returned_at = now
    how = dossier.get_delivery_method_display() if dossier.delivery_method else ""
    record_event(
        dossier,
        actor,
        "return",
        from_status=Status.PROCESSED,
        note=" ".join(p for p in (_("Đã trả kết quả."), how, note) if p),
    )


def _send_by_post(dossier, actor, note):
    """By post the dossier stays processed (9) until the carrier reports it delivered (10)."""
    from motcua.delivery.services import DeliveryUnavailable, send_by_post

    try:
        shipment = send_by_post(dossier, actor)
    except DeliveryUnavailable as exc:
        raise TransitionRefused(str(exc)) from exc
    record_event(
        dossier,
        actor,
        "send_by_post",
        from_status=Status.PROCESSED,
        note=" ".join(
            p
            for p in (
                _("Đã gửi kết quả qua bưu chính, số hiệu bưu gửi %(number)s.")
                % {"number": shipment.tracking_number},
                note,
            )
            if p
        ),
        data={"shipment": shipment.pk, "tracking_number": shipment.tracking_number},
    )


@action(
    "delivered",
    gettext_lazy("Bưu điện đã phát kết quả"),
    {Status.PROCESSED},
    actor=SYSTEM,
)
def _delivered(dossier, actor, params):
    shipment = params["shipment"]
    dossier.status = Status.RETURNED
    dossier.returned_at = shipment.delivered_at or timezone.now()
    record_event(
        dossier,
        None,
        "delivered",
        from_status=Status.PROCESSED,
        note=_("Bưu điện đã phát kết quả cho người nhận (số hiệu bưu gửi %(number)s).")
        % {"number": shipment.tracking_number},
        data={"shipment": shipment.pk},
    )


# ---------------------------------------------------------------------------------------
# Payment (nghĩa vụ tài chính)


@action(
    "request_payment",
    gettext_lazy("Yêu cầu nộp phí, lệ phí"),
    {Status.PROCESSING},
    step_permission="payment",
    needs=("amount", "note"),
)
def _request_payment(dossier, actor, params):
    from motcua.payments import services as payments

    raw = str(params.get("amount", "") or "").replace(".", "").replace(",", "").strip()
    if raw:
        try:
            amount = int(raw)
        except ValueError:
            amount = 0
        lines = None
    else:
        # Nothing typed: the amount the procedure's fee schedule gives for this form.
        quote = payments.quote_for_dossier(dossier)
        amount, lines = quote.amount, quote.lines
    if amount <= 0:
        raise TransitionRefused(_("Nhập số tiền phải nộp (đồng), lớn hơn 0."))
    now = timezone.now()
    if dossier.workflow.definition.get("payment_pauses_clock"):
        _pause_clock(dossier, now)
    dossier.status = Status.AWAITING_PAYMENT
    event = record_event(
        dossier,
        actor,
        "request_payment",
        from_status=Status.PROCESSING,
        note=str(params.get("note", "")).strip()
        or _("Đề nghị nộp %(amount)s đồng.") % {"amount": format_vnd(amount)},
        data={"amount": amount},
    )
    payments.open_charge(dossier, amount=amount, lines=lines, actor=actor, event=event)


@action(
    "confirm_payment",
    gettext_lazy("Xác nhận đã nộp phí"),
    {Status.AWAITING_PAYMENT},
    needs=("note",),
)
def _confirm_payment(dossier, actor, params):
    """Payment made at the counter or by transfer, confirmed by the officer who saw it."""
    from motcua.payments import services as payments

    note = str(params.get("note", "")).strip() or _("Đã nhận phí, lệ phí.")
    payments.record_counter_payment(dossier, actor=actor, note=note)
    _leave_awaiting_payment(dossier)
    record_event(dossier, actor, "confirm_payment", from_status=Status.AWAITING_PAYMENT, note=note)


@action(
    "payment_received",
    gettext_lazy("Đã nhận thanh toán trực tuyến"),
    {Status.AWAITING_PAYMENT},
    actor=SYSTEM,
)
def _payment_received(dossier, actor, params):
    """The gateway's verified notification settled the charge (payments.services)."""
    payment = params["payment"]
    _leave_awaiting_payment(dossier)
    record_event(
        dossier,
        None,
        "payment_received",
        from_status=Status.AWAITING_PAYMENT,
        note=_("Đã nhận %(amount)s đồng qua %(gateway)s, mã giao dịch %(ref)s.")
        % {
            "amount": format_vnd(payment.amount),
            "gateway": payment.gateway_name,
            "ref": payment.gateway_transaction_no or payment.reference,
        },
        data={"payment": payment.pk},
    )


def _leave_awaiting_payment(dossier):
    # Paid at submission: the dossier goes to the desk; paid after review: back to work.
    _resume_clock(dossier, timezone.now())
    dossier.status = Status.PROCESSING if dossier.accepted_at else Status.SUBMITTED


# ---------------------------------------------------------------------------------------
# Late dossiers: apology and new appointment (D61 art.19(9)); stop (art.19(8))


@action(
    "extend",
    gettext_lazy("Xin lỗi và hẹn lại ngày trả"),
    {Status.PROCESSING},
    needs=("reason", "new_due_date"),
)
def _extend(dossier, actor, params):
    if dossier.extension_count:
        raise TransitionRefused(_("Mỗi hồ sơ chỉ được hẹn lại ngày trả kết quả một lần."))
    if dossier.due_at is None:
        raise TransitionRefused(_("Hồ sơ chưa có ngày hẹn trả."))
    reason = _required(params, "reason", _("Nêu lý do chậm trả kết quả."))
    now = timezone.now()
    if workdays.working_seconds_between(now, dossier.due_at) < _window_seconds():
        raise TransitionRefused(
            _(
                "Phiếu xin lỗi phải gửi chậm nhất 01 ngày làm việc trước ngày hẹn trả "
                "(%(due)s); đã quá thời điểm đó."
            )
            % {"due": formats.date_format(timezone.localtime(dossier.due_at), "H:i d/m/Y")}
        )
    new_date = params.get("new_due_date")
    if isinstance(new_date, str):
        try:
            new_date = datetime.strptime(new_date.strip(), "%Y-%m-%d").date()
        except ValueError:
            try:
                new_date = datetime.strptime(new_date.strip(), "%d/%m/%Y").date()
            except ValueError:
                new_date = None
    if not new_date:
        raise TransitionRefused(_("Nhập ngày hẹn trả mới theo dạng ngày/tháng/năm."))
    old_due = timezone.localtime(dossier.due_at)
    if new_date <= old_due.date():
        raise TransitionRefused(
            _("Ngày hẹn mới phải sau ngày hẹn cũ (%s).") % old_due.strftime("%d/%m/%Y")
        )
    if not workdays.is_working_day(new_date):
        raise TransitionRefused(_("Ngày hẹn mới phải là ngày làm việc."))
    new_due = timezone.make_aware(datetime.combine(new_date, old_due.time() or time(17)))
    dossier.due_at = new_due
    dossier.extension_count += 1
    data = {"reason": reason, "new_due_at": new_due.isoformat(), "old_due_at": old_due.isoformat()}
    event = record_event(
        dossier,
        actor,
        "extend",
        from_status=Status.PROCESSING,
        note=_("Hẹn lại ngày trả kết quả: %(date)s. Lý do: %(reason)s")
        % {"date": new_date.strftime("%d/%m/%Y"), "reason": reason},
        data=data,
    )
    _issue(dossier, "apology", actor, event, data)


@action(
    "stop",
    gettext_lazy("Dừng xử lý"),
    {Status.PROCESSING},
    step_permission="stop",
    needs=("reason",),
    danger=True,
)
def _stop(dossier, actor, params):
    reason = _required(params, "reason", _("Nêu rõ lý do dừng xử lý hồ sơ."))
    _finish(dossier, Status.STOPPED, timezone.now())
    event = record_event(dossier, actor, "stop", from_status=Status.PROCESSING, note=reason)
    _issue(dossier, "stop", actor, event, {"reason": reason})
    _refund_if_paid(dossier, actor, reason)


# ---------------------------------------------------------------------------------------
# Withdrawal (công dân yêu cầu rút hồ sơ)

WITHDRAWABLE = {
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_PAYMENT,
}


@action(
    "request_withdrawal",
    gettext_lazy("Yêu cầu rút hồ sơ"),
    WITHDRAWABLE,
    actor=APPLICANT,
    needs=("reason",),
)
def _request_withdrawal(dossier, actor, params):
    reason = _required(params, "reason", _("Cho biết lý do rút hồ sơ."))
    before = dossier.status
    dossier.resume_status = before
    dossier.status = Status.WITHDRAWAL_REQUESTED
    record_event(dossier, actor, "request_withdrawal", from_status=before, note=reason)


@action(
    "confirm_withdrawal",
    gettext_lazy("Đồng ý cho rút hồ sơ"),
    {Status.WITHDRAWAL_REQUESTED},
    needs=("note",),
)
def _confirm_withdrawal(dossier, actor, params):
    _finish(dossier, Status.STOPPED, timezone.now())
    reason = _("Dừng xử lý theo đề nghị rút hồ sơ của người nộp.")
    note = str(params.get("note", "")).strip()
    event = record_event(
        dossier, actor, "confirm_withdrawal", from_status=Status.WITHDRAWAL_REQUESTED, note=reason
    )
    _issue(dossier, "stop", actor, event, {"reason": " ".join(p for p in (reason, note) if p)})
    _refund_if_paid(dossier, actor, reason)


@action(
    "decline_withdrawal",
    gettext_lazy("Không đồng ý rút hồ sơ"),
    {Status.WITHDRAWAL_REQUESTED},
    needs=("reason",),
)
def _decline_withdrawal(dossier, actor, params):
    reason = _required(params, "reason", _("Nêu lý do không đồng ý."))
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
    if dossier.status == Status.AWAITING_PAYMENT:
        from motcua.payments.services import outstanding_amount

        if not outstanding_amount(dossier):
            # Paid while the withdrawal request was pending: nothing left to wait for.
            _leave_awaiting_payment(dossier)
    record_event(
        dossier, actor, "decline_withdrawal", from_status=Status.WITHDRAWAL_REQUESTED, note=reason
    )


# ---------------------------------------------------------------------------------------
# Joint handling (liên thông) and consultation (xin ý kiến): tasks with their own deadlines


def _open_tasks(dossier, actor, params, kind):
    from motcua.workflow.models import Task

    request = _required(params, "request", _("Nhập nội dung đề nghị."))
    try:
        days = _days(params.get("days") or 0)
    except ArithmeticError:
        days = Decimal(0)
    if days <= 0:
        raise TransitionRefused(_("Nhập số ngày làm việc để trả lời, lớn hơn 0."))
    unit_ids = [int(u) for u in params.get("unit_ids") or [] if str(u).isdigit()]
    units = list(Unit.objects.filter(pk__in=unit_ids, is_active=True).select_related("agency"))
    if not units:
        raise TransitionRefused(_("Chọn ít nhất một cơ quan, đơn vị nhận."))
    if kind == Task.Kind.TRANSFER and any(
        u.agency_id == dossier.receiving_agency_id for u in units
    ):
        raise TransitionRefused(
            _("Liên thông là chuyển tới cơ quan khác; trong cơ quan hãy dùng xin ý kiến.")
        )
    if any(u.pk == dossier.current_unit_id for u in units):
        raise TransitionRefused(_("Không thể gửi cho chính đơn vị đang xử lý."))
    now = timezone.now()
    due = workdays.add_working_days(now, days)
    for unit in units:
        Task.objects.create(
            dossier=dossier, kind=kind, unit=unit, request=request, due_at=due, created_by=actor
        )
        access.grant(dossier, unit)
    dossier.open_tasks += len(units)
    names = ", ".join(f"{u.name} ({u.agency.name})" for u in units)
    label = _("Chuyển liên thông tới") if kind == Task.Kind.TRANSFER else _("Xin ý kiến")
    record_event(
        dossier,
        actor,
        kind,
        from_status=dossier.status,
        note=f"{label}: {names}",
        public=kind == Task.Kind.TRANSFER,
        data={"request": request, "due_at": due.isoformat(), "units": [u.pk for u in units]},
    )


@action(
    "transfer",
    gettext_lazy("Chuyển liên thông"),
    {Status.PROCESSING},
    step_permission="transfer",
    needs=("unit_ids", "days", "request"),
)
def _transfer(dossier, actor, params):
    _open_tasks(dossier, actor, params, "transfer")


@action(
    "consult",
    gettext_lazy("Xin ý kiến"),
    {Status.PROCESSING},
    step_permission="consult",
    needs=("unit_ids", "days", "request"),
)
def _consult(dossier, actor, params):
    _open_tasks(dossier, actor, params, "consult")


def answer_task(task_id: int, actor, answer: str):
    """The other agency or unit answers its task; the lead's dossier moves on once all have."""
    from motcua.workflow.models import Task

    answer = (answer or "").strip()
    if not answer:
        raise TransitionRefused(_("Nhập nội dung trả lời."))
    with transaction.atomic():
        task = Task.objects.select_related("unit").get(pk=task_id)
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("current_unit")
            .get(pk=task.dossier_id)
        )
        task = (
            Task.objects.select_for_update().select_related("unit", "unit__agency").get(pk=task_id)
        )
        if not any(m.unit_id == task.unit_id for m in access.memberships(actor)):
            raise TransitionRefused(_("Nhiệm vụ này được giao cho đơn vị khác."))
        if task.state != Task.State.OPEN:
            raise TransitionRefused(_("Nhiệm vụ này đã được trả lời."))
        now = timezone.now()
        task.state = Task.State.ANSWERED
        task.answer = answer
        task.answered_at = now
        task.answered_by = actor
        task.save()
        dossier.open_tasks = max(0, dossier.open_tasks - 1)
        dossier.version += 1
        dossier.save(update_fields=["open_tasks", "version", "updated_at"])
        late = now > task.due_at
        record_event(
            dossier,
            actor,
            "answer_task",
            from_status=dossier.status,
            note=_("%(unit)s (%(agency)s) đã trả lời.")
            % {"unit": task.unit.name, "agency": task.unit.agency.name},
            public=task.kind == Task.Kind.TRANSFER,
            data={"task": task.pk, "late": late},
        )
    return task
