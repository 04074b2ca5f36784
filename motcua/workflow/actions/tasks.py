"""Joint handling (liên thông) and consultation (xin ý kiến): tasks with their own deadlines."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Unit
from motcua.core.events import TaskAnswered
from motcua.core.outbox import publish
from motcua.dossiers import access
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeline import EventKind, record_event
from motcua.workdays import services as workdays
from motcua.workflow.actions.base import TransitionRefused, end_task_access, required
from motcua.workflow.actions.inputs import OpenTasksInput
from motcua.workflow.models import Task

# The timeline line each answer writes (not an action: a task is answered, not a dossier).
ANSWER_EVENT = "answer_task"
ANSWER_KIND = EventKind(
    officer_label=gettext_lazy("Trả lời liên thông, xin ý kiến"),
    public_label=gettext_lazy("Cơ quan phối hợp đã trả lời"),
)


def transfer(act, dossier, actor, data: OpenTasksInput):
    _open_tasks(act, dossier, actor, data, Task.Kind.TRANSFER)


def consult(act, dossier, actor, data: OpenTasksInput):
    _open_tasks(act, dossier, actor, data, Task.Kind.CONSULT)


def _open_tasks(act, dossier, actor, data: OpenTasksInput, kind):
    request = required(data.request, _("Nhập nội dung đề nghị."))
    if data.days <= 0:
        raise TransitionRefused(_("Nhập số ngày làm việc để trả lời, lớn hơn 0."))
    units = list(Unit.objects.filter(pk__in=data.unit_ids, is_active=True).select_related("agency"))
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
    due = workdays.add_working_days(now, data.days)
    for unit in units:
        Task.objects.create(
            dossier=dossier, kind=kind, unit=unit, request=request, due_at=due, created_by=actor
        )
        access.grant_for_task(dossier, unit)
    dossier.open_tasks += len(units)
    names = ", ".join(f"{u.name} ({u.agency.name})" for u in units)
    label = _("Chuyển liên thông tới") if kind == Task.Kind.TRANSFER else _("Xin ý kiến")
    record_event(
        dossier=dossier,
        action=act.event_name,
        actor=actor,
        from_status=dossier.status,
        note=f"{label}: {names}",
        public=kind == Task.Kind.TRANSFER,
        data={"request": request, "due_at": due.isoformat(), "units": [u.pk for u in units]},
    )


def answer_task(*, task_id: int, actor, answer: str) -> Task:
    """The other agency or unit answers its task; the lead's dossier moves on once all have."""
    answer = (answer or "").strip()
    if not answer:
        raise TransitionRefused(_("Nhập nội dung trả lời."))
    with transaction.atomic():
        dossier_id = Task.objects.values_list("dossier_id", flat=True).get(pk=task_id)
        dossier = (  # the dossier first, as every action locks it
            Dossier.objects.select_for_update(of=("self",))
            .select_related("current_unit")
            .get(pk=dossier_id)
        )
        task = (
            Task.objects.select_for_update().select_related("unit", "unit__agency").get(pk=task_id)
        )
        if task.unit_id not in access.unit_ids(actor):
            raise TransitionRefused(_("Nhiệm vụ này được giao cho đơn vị khác."))
        if task.state == Task.State.CLOSED:
            raise TransitionRefused(_("Nhiệm vụ này đã đóng vì hồ sơ đã dừng xử lý."))
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
        # Answered: the unit's access through the task ends; its answer stays with the lead.
        end_task_access(dossier, task.unit_id)
        late = now > task.due_at
        record_event(
            dossier=dossier,
            action=ANSWER_EVENT,
            actor=actor,
            from_status=dossier.status,
            note=_("%(unit)s (%(agency)s) đã trả lời.")
            % {"unit": task.unit.name, "agency": task.unit.agency.name},
            public=task.kind == Task.Kind.TRANSFER,
            data={"task": task.pk, "late": late},
        )
        publish(
            TaskAnswered.about(dossier, action=ANSWER_EVENT, actor=actor, task_id=task.pk),
            subject=dossier,
        )
    return task
