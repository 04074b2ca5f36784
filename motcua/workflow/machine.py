"""The dossier state machine: one table of actions and one entry point, `perform`.

Every change of a dossier's status after submission goes through `perform`, which locks
the dossier row, checks the actor's role and unit, the current state and the legal rules,
applies the change, writes the timeline event (the append-only audit trail) and issues the
statutory document, all in one transaction. Anything else is refused with a message the
actor can act on. Statuses and their codes: DOMAIN.md section 4.

`ACTIONS` holds every fact about each action (labels, input, document, flags); the handlers
live in motcua/workflow/actions/, one module per stage. Adding an action: its handler in its
stage's module and one entry in the table below.
"""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role, User
from motcua.core.events import (
    DossierAccepted,
    DossierApproved,
    DossierExtended,
    DossierHandedOver,
    DossierRefused,
    DossierReturned,
    DossierStopped,
    PaymentRequested,
    PaymentSettled,
    SupplementReceived,
    SupplementRequested,
    TaskSent,
    WithdrawalConfirmed,
    WithdrawalDeclined,
    WithdrawalRequested,
)
from motcua.core.outbox import publish
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access, acting
from motcua.dossiers.models import WITHDRAWABLE, Dossier, DossierEvent, Status
from motcua.dossiers.timeline import EventKind, register_kind
from motcua.workflow.actions import (
    payment,
    processing,
    reception,
    returning,
    supplement,
    tasks,
    withdrawal,
)
from motcua.workflow.actions.base import (
    APPLICANT,
    OFFICER,
    SYSTEM,
    Action,
    Preview,
    TransitionRefused,
)
from motcua.workflow.actions.inputs import (
    ActionInput,
    DeliveredInput,
    ExtendInput,
    FeeDueInput,
    NoteInput,
    OpenTasksInput,
    PaymentReceivedInput,
    ReasonInput,
    RequestPaymentInput,
    RequestSupplementInput,
    SupplementItem,
)
from motcua.workflow.actions.tasks import answer_task

__all__ = [
    "ACTIONS",
    "APPLICANT",
    "OFFICER",
    "SYSTEM",
    "Preview",
    "Action",
    "ActionInput",
    "DeliveredInput",
    "ExtendInput",
    "FeeDueInput",
    "NoteInput",
    "OpenTasksInput",
    "PaymentReceivedInput",
    "ReasonInput",
    "RequestPaymentInput",
    "RequestSupplementInput",
    "SupplementItem",
    "TransitionRefused",
    "action_for_permission",
    "answer_task",
    "available_actions",
    "check",
    "perform",
    "preview",
]

Kind = IssuedDocument.Kind
# A fee asked for by the specialist, or due with the application: one kind of timeline line.
REQUEST_PAYMENT_LABEL = gettext_lazy("Yêu cầu nộp phí, lệ phí")
REQUEST_PAYMENT_PUBLIC_LABEL = gettext_lazy("Cơ quan yêu cầu nộp phí, lệ phí")

ACTIONS: dict[str, Action] = {
    act.name: act
    for act in (
        # Reception (tiếp nhận)
        Action(
            "accept",
            gettext_lazy("Tiếp nhận hồ sơ"),
            frozenset({Status.SUBMITTED}),
            reception.accept,
            input=NoteInput,
            at_step="first",
            issues=Kind.RECEIPT,
            primary=True,
            public_label=gettext_lazy("Đã tiếp nhận hồ sơ"),
            internal_note=True,
            handover=True,
            domain_event=DossierAccepted,
            preview=reception.preview_accept,
        ),
        Action(
            "refuse",
            gettext_lazy("Từ chối tiếp nhận"),
            frozenset({Status.SUBMITTED}),
            reception.refuse,
            input=ReasonInput,
            at_step="first",
            step_permission="refuse",
            issues=Kind.REFUSAL,
            danger=True,
            reason_label=gettext_lazy("Lý do từ chối tiếp nhận"),
            public_label=gettext_lazy("Không tiếp nhận hồ sơ"),
            domain_event=DossierRefused,
            preview=reception.preview_refuse,
        ),
        # Supplement (yêu cầu bổ sung, hoàn thiện hồ sơ)
        Action(
            "request_supplement",
            gettext_lazy("Yêu cầu bổ sung hồ sơ"),
            frozenset({Status.SUBMITTED, Status.PROCESSING}),
            supplement.request_supplement,
            input=RequestSupplementInput,
            step_permission="supplement",
            issues=Kind.SUPPLEMENT,
            public_label=gettext_lazy("Cơ quan yêu cầu bổ sung hồ sơ"),
            domain_event=SupplementRequested,
            preview=supplement.preview_request_supplement,
        ),
        Action(
            "submit_supplement",
            gettext_lazy("Nộp hồ sơ bổ sung"),
            frozenset({Status.SUPPLEMENT_REQUESTED}),
            supplement.submit_supplement,
            input=NoteInput,
            actor=APPLICANT,
            public_label=gettext_lazy("Đã nộp hồ sơ bổ sung"),
            domain_event=SupplementReceived,
        ),
        # Processing (đang xử lý): hand-overs between steps
        Action(
            "forward",
            gettext_lazy("Chuyển bước tiếp theo"),
            frozenset({Status.PROCESSING}),
            processing.forward,
            input=NoteInput,
            at_step="middle",
            primary=True,
            public_label=gettext_lazy("Chuyển xử lý"),
            internal_note=True,
            handover=True,
            domain_event=DossierHandedOver,
            preview=processing.preview_forward,
        ),
        Action(
            "send_back",
            gettext_lazy("Trả lại bước trước"),
            frozenset({Status.PROCESSING}),
            processing.send_back,
            input=ReasonInput,
            step_permission="send_back",
            reason_label=gettext_lazy("Lý do trả lại"),
            public_label=gettext_lazy("Chuyển xử lý"),
            internal_note=True,
            handover=True,
            domain_event=DossierHandedOver,
            preview=processing.preview_send_back,
        ),
        Action(
            "approve",
            gettext_lazy("Phê duyệt kết quả"),
            frozenset({Status.PROCESSING}),
            processing.approve,
            input=NoteInput,
            at_step="signing",
            primary=True,
            public_label=gettext_lazy("Đã có kết quả giải quyết"),
            internal_note=True,
            handover=True,
            signs_result=True,
            domain_event=DossierApproved,
            preview=processing.preview_approve,
        ),
        # Returning the result (trả kết quả)
        Action(
            "return_result",
            gettext_lazy("Trả kết quả"),
            frozenset({Status.PROCESSED}),
            returning.return_result,
            input=NoteInput,
            at_step="last",
            primary=True,
            event="return",
            public_label=gettext_lazy("Đã trả kết quả"),
            handover=True,
            domain_event=DossierReturned,
        ),
        Action(
            "delivered",
            gettext_lazy("Bưu điện đã phát kết quả"),
            frozenset({Status.PROCESSED}),
            returning.delivered,
            input=DeliveredInput,
            actor=SYSTEM,
            domain_event=DossierReturned,
        ),
        # Payment (nghĩa vụ tài chính)
        Action(
            "request_payment",
            REQUEST_PAYMENT_LABEL,
            frozenset({Status.PROCESSING}),
            payment.request_payment,
            input=RequestPaymentInput,
            step_permission="payment",
            public_label=REQUEST_PAYMENT_PUBLIC_LABEL,
            domain_event=PaymentRequested,
        ),
        Action(
            "await_payment",
            REQUEST_PAYMENT_LABEL,
            frozenset({Status.SUBMITTED}),
            payment.await_payment,
            input=FeeDueInput,
            actor=SYSTEM,
            event="request_payment",
            public_label=REQUEST_PAYMENT_PUBLIC_LABEL,
            domain_event=PaymentRequested,
        ),
        Action(
            "confirm_payment",
            gettext_lazy("Xác nhận đã nộp phí"),
            frozenset({Status.AWAITING_PAYMENT}),
            payment.confirm_payment,
            input=NoteInput,
            public_label=gettext_lazy("Đã nhận phí, lệ phí"),
            domain_event=PaymentSettled,
        ),
        Action(
            "payment_received",
            gettext_lazy("Đã nhận thanh toán trực tuyến"),
            frozenset({Status.AWAITING_PAYMENT}),
            payment.payment_received,
            input=PaymentReceivedInput,
            actor=SYSTEM,
        ),
        # Late dossiers: apology and new appointment (D61 art.19(9)); stop (art.19(8))
        Action(
            "extend",
            gettext_lazy("Xin lỗi và hẹn lại ngày trả"),
            frozenset({Status.PROCESSING}),
            processing.extend,
            input=ExtendInput,
            issues=Kind.APOLOGY,
            reason_label=gettext_lazy("Lý do chậm trả kết quả"),
            public_label=gettext_lazy("Cơ quan xin lỗi và hẹn lại ngày trả kết quả"),
            domain_event=DossierExtended,
            preview=processing.preview_extend,
        ),
        Action(
            "stop",
            gettext_lazy("Dừng xử lý"),
            frozenset({Status.PROCESSING}),
            processing.stop,
            input=ReasonInput,
            step_permission="stop",
            issues=Kind.STOP,
            danger=True,
            reason_label=gettext_lazy("Lý do dừng xử lý"),
            public_label=gettext_lazy("Dừng xử lý hồ sơ"),
            domain_event=DossierStopped,
            preview=processing.preview_stop,
        ),
        # Withdrawal (công dân yêu cầu rút hồ sơ)
        Action(
            "request_withdrawal",
            gettext_lazy("Yêu cầu rút hồ sơ"),
            WITHDRAWABLE,
            withdrawal.request_withdrawal,
            input=ReasonInput,
            actor=APPLICANT,
            public_label=gettext_lazy("Người nộp yêu cầu rút hồ sơ"),
            domain_event=WithdrawalRequested,
        ),
        Action(
            "confirm_withdrawal",
            gettext_lazy("Đồng ý cho rút hồ sơ"),
            frozenset({Status.WITHDRAWAL_REQUESTED}),
            withdrawal.confirm_withdrawal,
            input=NoteInput,
            desk_may_act=True,
            issues=Kind.STOP,
            public_label=gettext_lazy("Cơ quan đồng ý cho rút hồ sơ"),
            domain_event=WithdrawalConfirmed,
            preview=withdrawal.preview_confirm_withdrawal,
        ),
        Action(
            "decline_withdrawal",
            gettext_lazy("Không đồng ý rút hồ sơ"),
            frozenset({Status.WITHDRAWAL_REQUESTED}),
            withdrawal.decline_withdrawal,
            input=ReasonInput,
            desk_may_act=True,
            reason_label=gettext_lazy("Lý do không đồng ý cho rút hồ sơ"),
            public_label=gettext_lazy("Cơ quan không đồng ý cho rút hồ sơ"),
            domain_event=WithdrawalDeclined,
        ),
        # Joint handling (liên thông) and consultation (xin ý kiến)
        Action(
            "transfer",
            gettext_lazy("Chuyển liên thông"),
            frozenset({Status.PROCESSING}),
            tasks.transfer,
            input=OpenTasksInput,
            step_permission="transfer",
            public_label=gettext_lazy("Chuyển cơ quan phối hợp (liên thông)"),
            domain_event=TaskSent,
        ),
        Action(
            "consult",
            gettext_lazy("Xin ý kiến"),
            frozenset({Status.PROCESSING}),
            tasks.consult,
            input=OpenTasksInput,
            step_permission="consult",
            domain_event=TaskSent,
        ),
    )
}

# Timeline lines workflow writes that are not actions on the dossier.
OTHER_EVENT_KINDS = {
    tasks.ANSWER_EVENT: tasks.ANSWER_KIND,
    "escalate": EventKind(officer_label=gettext_lazy("Báo cáo nhiệm vụ trễ hạn")),
}


def register_event_kinds() -> None:
    """Tell the dossiers' timeline what workflow's events are called (dossiers.timeline)."""
    for act in ACTIONS.values():
        register_kind(act.event_name, act.event_kind())
    for name, kind in OTHER_EVENT_KINDS.items():
        register_kind(name, kind)


# ---------------------------------------------------------------------------------------
# Entry point


def perform(
    *,
    dossier_id: int,
    action: str,
    actor: User | None,
    data: ActionInput | None = None,
    expected_version: int | None = None,
    locked: Dossier | None = None,
) -> Dossier:
    """Carry out `action` on the dossier for `actor` with its input `data`, or raise
    TransitionRefused.

    `data` is the action's input dataclass (`ACTIONS[action].input`), already parsed; None
    stands for the input with its defaults. `expected_version` is the version the actor's
    page showed: when someone else changed the dossier in between, the actor is told who
    did what instead of acting blind. Two officers acting at once are serialised by the
    row lock: exactly one wins. `locked` is the dossier already locked in this transaction
    by a synchronous subscriber that reacts to a fact (core.outbox), instead of reading it.
    After the change the action's domain event is published in the same transaction.
    """
    act = ACTIONS.get(action)
    if act is None:
        raise TransitionRefused(_("Thao tác không tồn tại."))
    data = _input_for(act, data)
    with transaction.atomic():
        dossier = locked or (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "receiving_agency", "workflow", "current_unit")
            .get(pk=dossier_id)
        )
        if expected_version is not None and dossier.version != expected_version:
            raise TransitionRefused(_stale_message(dossier))
        check(act, dossier, actor)
        before = dossier.status
        fields = act.handler(act, dossier, actor, data) or {}
        dossier.version += 1
        dossier.save()
        event_type = fields.pop("event_type", act.domain_event)
        publish(
            event_type.about(
                dossier, action=act.event_name, actor=actor, from_status=before, **fields
            ),
            subject=dossier,
        )
    return dossier


def _input_for(act: Action, data):
    if act.input is None:
        return None
    if data is None:
        try:
            return act.input()
        except TypeError:
            raise TransitionRefused(
                _("Thiếu thông tin để “%(action)s”.") % {"action": act.label}
            ) from None
    if not isinstance(data, act.input):
        raise TypeError(f"{act.name} takes {act.input.__name__}, not {type(data).__name__}")
    return data


def check(act: Action, dossier: Dossier, actor) -> None:
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
        if actor is None or acting.applicant_may(actor, dossier, act=True) is None:
            raise TransitionRefused(_("Chỉ người nộp hồ sơ được thực hiện thao tác này."))
        return
    if actor is None or getattr(actor, "kind", None) != "officer":
        raise TransitionRefused(_("Chỉ cán bộ được giao xử lý mới được thực hiện thao tác này."))
    if dossier.workflow_id is None:
        raise TransitionRefused(
            _("Thủ tục này chưa có quy trình xử lý; quản trị cơ quan cần khai báo quy trình trước.")
        )
    if act.desk_may_act:
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


def preview(*, dossier: Dossier, action: str, actor, data: ActionInput | None = None) -> Preview:
    """What `action` will issue and set on `dossier` if `actor` confirms it with `data` now,
    computed by the functions the action itself uses; nothing is written. Raises
    TransitionRefused like `perform` would (not allowed now, or the input is refused)."""
    act = ACTIONS[action]
    check(act, dossier, actor)
    if act.preview is None:
        return Preview()
    return act.preview(act, dossier, actor, _input_for(act, data))


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


def action_for_permission(permission: str) -> Action:
    """The action a workflow step's permission ("supplement", "stop", ...) lets officers take."""
    return next(act for act in ACTIONS.values() if act.step_permission == permission)


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
