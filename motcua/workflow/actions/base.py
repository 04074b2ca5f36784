"""What every action handler shares: the Action entry, the refusal, the clock and hand-overs."""

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Unit
from motcua.core.events import DossierChanged
from motcua.documents import services as documents
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.timeline import EventKind, record_event
from motcua.payments import refunds
from motcua.workdays import services as workdays
from motcua.workflow.models import Task


class TransitionRefused(Exception):
    """The action is not allowed now; the message says why, in the actor's language, and
    `field` names the input it is about, if one is (the form shows the message beside it)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# SYSTEM actions are taken by MotCua itself on a verified outside signal (a payment
# gateway's notification, the postal service's delivery report); `actor` is None.
OFFICER, APPLICANT, SYSTEM = "officer", "applicant", "system"


@dataclass(frozen=True)
class Action:
    """Every fact about one action of the state machine (DOMAIN.md section 4)."""

    name: str
    # The officer's button, and the action's name in the officers' timeline.
    label: str
    from_statuses: frozenset
    # handler(act, dossier, actor, data): applies the change and writes the timeline.
    handler: Callable = field(compare=False, repr=False)
    # The dataclass the actor's input arrives in (inputs.py); the officer page asks for its
    # fields; None: the action takes nothing.
    input: type | None = None
    actor: str = OFFICER
    # The permission the current workflow step must grant ("supplement", "stop", ...).
    step_permission: str | None = None
    # Which step the dossier must be at: "first", "signing", "last", "middle" or None.
    at_step: str | None = None
    # Besides the unit holding the dossier, the receiving agency's desk may take it, at any
    # step (answers to the applicant's requests).
    desk_may_act: bool = False
    # The statutory document it issues (DOMAIN.md section 7).
    issues: IssuedDocument.Kind | None = None
    # The step's way forward: shown first, as the main button, with a keyboard shortcut.
    primary: bool = False
    danger: bool = False
    # What the reason field is called on the officer's form.
    reason_label: str | None = None
    # The timeline event it writes, when not called like the action ("return_result").
    event: str | None = None
    # Its label in the applicant's timeline and public tracking; None: the status reached.
    public_label: str | None = None
    # Its note stays with the officers (kept in the event's data); else the applicant reads it.
    internal_note: bool = False
    # It hands the dossier from one unit to another (a row of the control sheet, form 05).
    handover: bool = False
    # Signs the dossier's result: the officer is then shown it (the dossier page at #results).
    signs_result: bool = False
    # The domain event it publishes (core.events), with what the handler returns as the
    # event's own fields; the handler may name another type under "event_type".
    domain_event: type[DossierChanged] = DossierChanged
    # preview(act, dossier, actor, data) -> Preview: what the action will issue and set,
    # shown on the officer's page before confirming (decision 0053).
    preview: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def needs(self) -> tuple[str, ...]:
        """The fields the actor fills in, in the input's order."""
        return tuple(f.name for f in fields(self.input)) if self.input else ()

    @property
    def event_name(self) -> str:
        return self.event or self.name

    def event_kind(self) -> EventKind:
        return EventKind(
            officer_label=self.label,
            public_label=self.public_label,
            internal_note=self.internal_note,
            applicant_note=self.actor == APPLICANT,
            handover=self.handover,
        )


@dataclass(frozen=True)
class Preview:
    """What an action will do, shown before the officer confirms it (decision 0053)."""

    # The document it will issue, rendered from the same context and template as the real
    # one ("" when it issues none), and that document's title.
    html: str = ""
    title: str = ""
    # The due date it sets, and what that date is called on the page.
    due_at: datetime | None = None
    due_label: str = ""
    # The unit the dossier goes to, and that step's own deadline.
    unit_name: str = ""
    step_due_at: datetime | None = None
    # Anything else the officer should know before confirming.
    note: str = ""
    # What the document says that the officer chose: same fingerprint, same document.
    content: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        facts = {
            "content": self.content,
            # The day the applicant is told: a due date counted from "now" moves by the
            # minute, and only a move to another day (past the office's closing time, a
            # holiday) makes what was previewed no longer true (decision 0053).
            "due_on": timezone.localdate(self.due_at).isoformat() if self.due_at else "",
            "unit": self.unit_name,
        }
        text = json.dumps(facts, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def as_it_will_be(dossier: Dossier, **fields) -> Dossier:
    """An in-memory copy of `dossier` with the fields the action will set, for a preview;
    never saved."""
    future = copy.copy(dossier)
    for name, value in fields.items():
        setattr(future, name, value)
    return future


def document_preview(act: Action, dossier, actor, data: dict, **facts) -> Preview:
    """The preview of the document `act` issues on `dossier` (as the action leaves it)."""
    html = documents.preview_document_html(dossier=dossier, kind=act.issues, actor=actor, data=data)
    return Preview(html=html, title=str(act.issues.label), content=data, **facts)


def required(text: str, message: str) -> str:
    """`text` without surrounding spaces, or a refusal with `message` when it is empty."""
    text = (text or "").strip()
    if not text:
        raise TransitionRefused(message)
    return text


def to_days(value) -> Decimal:
    return Decimal(str(value))


def unit_for(dossier: Dossier, step: dict) -> Unit:
    unit = Unit.objects.filter(
        agency_id=dossier.receiving_agency_id, code=step["unit"], is_active=True
    ).first()
    if unit is None:
        raise TransitionRefused(
            _("Cơ quan chưa có đơn vị “%(unit)s” mà bước “%(step)s” cần.")
            % {"unit": step["unit"], "step": step["name"]}
        )
    return unit


def statutory_due(dossier: Dossier, start: datetime) -> datetime | None:
    """The due date of a dossier whose clock starts at `start` (acceptance, or the completed
    dossier back after a supplement): the procedure's working days on the calendar."""
    time_limit = dossier.procedure.processing_time
    return workdays.add_working_days(start, time_limit) if time_limit is not None else None


def step_due(dossier: Dossier, step: dict, now: datetime) -> datetime | None:
    """The deadline of `step` entered at `now`: its working days, never past the dossier's."""
    days = to_days(step["days"])
    due = workdays.add_working_days(now, days) if days > 0 else dossier.due_at
    if dossier.due_at and due and due > dossier.due_at:
        due = dossier.due_at
    return due


def handover_preview(dossier: Dossier, step: dict, **facts) -> Preview:
    """Where a hand-over takes the dossier: `step`'s unit and its deadline."""
    return Preview(
        unit_name=unit_for(dossier, step).name,
        step_due_at=step_due(dossier, step, timezone.now()),
        **facts,
    )


def enter_step(
    dossier, step, actor, *, action_name, note="", internal_note="", from_status=None
) -> DossierEvent:
    """Hand the dossier to `step`'s unit: one row of the processing control sheet."""
    now = timezone.now()
    previous_unit = dossier.current_unit
    unit = unit_for(dossier, step)
    dossier.step_key = step["key"]
    dossier.current_unit = unit
    dossier.current_role = step["role"]
    step_due_at = step_due(dossier, step, now)
    dossier.step_due_at = step_due_at
    access.grant(dossier, unit)
    return record_event(
        dossier=dossier,
        action=action_name,
        actor=actor,
        from_status=from_status if from_status is not None else dossier.status,
        note=note,
        from_unit_name=previous_unit.name if previous_unit else "",
        to_unit_name=unit.name,
        step_due_at=step_due_at,
        data={"note": internal_note} if internal_note else {},
    )


def issue(act: Action, dossier, actor, event, data=None):
    """Issue the statutory document `act` issues, tied to its timeline event."""
    return documents.issue_document(
        dossier=dossier, kind=act.issues, actor=actor, event=event, data=data or {}
    )


def window_seconds() -> int:
    return workdays.office_hours().seconds


def pause_clock(dossier, now):
    if dossier.due_at:
        dossier.remaining_seconds = workdays.working_seconds_between(now, dossier.due_at)
    dossier.clock_paused_at = now


def resume_clock(dossier, now):
    if dossier.clock_paused_at and dossier.remaining_seconds is not None:
        days = Decimal(dossier.remaining_seconds) / Decimal(window_seconds())
        dossier.due_at = workdays.add_working_days(now, days)
    dossier.clock_paused_at = None
    dossier.remaining_seconds = None


def restart_clock(dossier, now):
    """D61 art.19(4): when the completed dossier is back, the time counts again from zero."""
    if dossier.procedure.processing_time is not None:
        dossier.due_at = statutory_due(dossier, now)
        dossier.original_due_at = dossier.due_at
    dossier.clock_paused_at = None
    dossier.remaining_seconds = None


def refund_if_paid(dossier, actor, reason):
    """A dossier refused or stopped after its fee was paid gets its refund recorded."""
    refunds.refund_if_paid(dossier, actor=actor, reason=reason)


def finish(dossier, status, now):
    dossier.status = status
    dossier.finished_at = now
    dossier.step_due_at = None
    close_open_tasks(dossier)


def close_open_tasks(dossier) -> None:
    """The dossier ends with tasks unanswered (stopped, withdrawn): they close, and the units
    they were sent to no longer see it."""
    unit_ids = set(
        Task.objects.filter(dossier=dossier, state=Task.State.OPEN).values_list(
            "unit_id", flat=True
        )
    )
    if not unit_ids:
        return
    Task.objects.filter(dossier=dossier, state=Task.State.OPEN).update(state=Task.State.CLOSED)
    dossier.open_tasks = 0
    for unit_id in unit_ids:
        access.end_task_access(dossier, unit_id)


def end_task_access(dossier, unit_id) -> None:
    """A task of the unit was answered: its access through tasks ends, unless another task
    sent to it on this dossier is still open."""
    if not Task.objects.filter(dossier=dossier, unit_id=unit_id, state=Task.State.OPEN).exists():
        access.end_task_access(dossier, unit_id)


def close_with_slip(act, dossier, actor, status, *, reason: str, slip: dict) -> None:
    """End the dossier (refused at reception, stopped): the timeline line with the reason,
    the slip that tells the applicant, and the refund of a fee already paid."""
    before = dossier.status
    finish(dossier, status, timezone.now())
    event = record_event(
        dossier=dossier, action=act.event_name, actor=actor, from_status=before, note=reason
    )
    issue(act, dossier, actor, event, slip)
    refund_if_paid(dossier, actor, reason)


def leave_awaiting_payment(dossier):
    # Paid at submission: the dossier goes to the desk; paid after review: back to work.
    resume_clock(dossier, timezone.now())
    dossier.status = Status.PROCESSING if dossier.accepted_at else Status.SUBMITTED


def refuse_while_tasks_open(dossier):
    if dossier.open_tasks:
        raise TransitionRefused(
            _("Còn %(n)s nhiệm vụ liên thông hoặc xin ý kiến chưa có trả lời.")
            % {"n": dossier.open_tasks}
        )
