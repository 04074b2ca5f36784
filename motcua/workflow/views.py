"""The officer workspace (trang cán bộ): inbox, dossier page, actions, counter intake and
the workflow editor. Views parse, authorise, call machine.py / services.py, render."""

import json
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import Role, Unit
from motcua.catalogue.forms_schema import bind
from motcua.catalogue.models import Procedure
from motcua.core.dates import local_iso, local_text
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access
from motcua.dossiers.models import Attachment, Status, choice_label
from motcua.workdays import services as workdays
from motcua.workflow import fragments, machine, queues, services
from motcua.workflow.counts import inbox_counts
from motcua.workflow.definition import STEP_ACTIONS
from motcua.workflow.dossier_page import dossier_page_data, officer_dossier
from motcua.workflow.forms import (
    CommentForm,
    InboxFilterForm,
    IntakeForm,
    ProcedureChoiceForm,
    TaskAnswerForm,
    WorkflowForm,
    action_form,
)
from motcua.workflow.models import Task, Workflow
from motcua.workflow.rows import dossier_rows
from motcua.workflow.search import search_rows

PAGE_SIZE = 25

TABS = (
    ("new", gettext_lazy("Mới tiếp nhận")),
    ("todo", gettext_lazy("Cần xử lý")),
    ("due_soon", gettext_lazy("Sắp đến hạn")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("waiting", gettext_lazy("Chờ công dân")),
    ("tasks", gettext_lazy("Liên thông, xin ý kiến")),
    ("all", gettext_lazy("Tất cả hồ sơ")),
)

# The statutory document each action issues (DOMAIN.md section 7).
ISSUES = {
    "accept": IssuedDocument.Kind.RECEIPT,
    "refuse": IssuedDocument.Kind.REFUSAL,
    "request_supplement": IssuedDocument.Kind.SUPPLEMENT,
    "extend": IssuedDocument.Kind.APOLOGY,
    "stop": IssuedDocument.Kind.STOP,
    "confirm_withdrawal": IssuedDocument.Kind.STOP,
}

# The step's way forward: shown first, as the main button, with a keyboard shortcut.
PRIMARY_ACTIONS = frozenset({"accept", "forward", "approve", "return_result"})

# Timeline lines that are not actions of the state machine.
EVENT_LABELS = {
    "submitted": gettext_lazy("Nộp hồ sơ"),
    "return": gettext_lazy("Trả kết quả"),
    "answer_task": gettext_lazy("Trả lời liên thông, xin ý kiến"),
    "escalate": gettext_lazy("Báo cáo nhiệm vụ trễ hạn"),
}
# Events whose data["note"] is the officer's internal note rather than text for the applicant.
INTERNAL_NOTE_EVENTS = frozenset({"submitted", "forward", "send_back", "approve"})

# What each permission a workflow step may grant lets the officer do (editor legend).
STEP_ACTION_NAMES = {"supplement": "request_supplement", "payment": "request_payment"}


# --- Shared helpers ---------------------------------------------------------------------


def _workspace(request, **context) -> dict:
    """What every workspace page shows in its own navigation."""
    user = request.user
    context["workspace"] = {
        "is_desk": bool(access.desk_units(user)),
        "is_admin": bool(access.administered_agency_ids(user)),
        "units": list(dict.fromkeys(m.unit.name for m in access.memberships(user))),
    }
    return context


def _dossier_or_404(request, dossier_uuid):
    dossier = officer_dossier(request.user, dossier_uuid)
    if dossier is None:
        raise Http404
    return dossier


def _days(value) -> str:
    """0.25 -> "0,25"; 2 -> "2"."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")


# --- Inbox (hộp việc) ---------------------------------------------------------------------


def _query(params, **changes) -> str:
    """The query string `params` (without its page) with `changes`; an empty value removes a key."""
    merged = {k: v for k, v in params.items() if k != "page" and v not in ("", None)}
    for key, value in changes.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


@dataclass
class TaskRow:
    task: Task
    remaining: str
    overdue: bool
    due_soon: bool


@officer_required
def inbox(request):
    user = request.user
    mine = access.memberships(user)
    procedures = queues.filter_procedures({m.unit.agency_id for m in mine})
    filters = InboxFilterForm(request.GET, procedures=procedures)
    default_tab = "new" if access.has_desk_role(user) else "todo"
    tab = request.GET.get("tab", default_tab)
    if tab not in dict(TABS):
        tab = default_tab
    q = filters.value("q", "").strip()
    procedure_id = filters.value("procedure")
    status = filters.value("status")
    order = filters.value("order", "due")
    page = filters.value("page", 1)
    start = (page - 1) * PAGE_SIZE
    now = timezone.now()
    counts = inbox_counts(user, now)

    rows, task_rows = [], []
    if q:
        rows, more = search_rows(
            user, q, start=start, size=PAGE_SIZE, now=now, procedure_id=procedure_id, status=status
        )
    elif tab == "tasks":
        batch = list(queues.open_tasks_for(user)[start : start + PAGE_SIZE + 1])
        more = len(batch) > PAGE_SIZE
        tasks = batch[:PAGE_SIZE]
        deadlines = workdays.deadlines([t.due_at for t in tasks], now)
        task_rows = [
            TaskRow(t, d.remaining, d.overdue, d.due_soon)
            for t, d in zip(tasks, deadlines, strict=True)
        ]
    else:
        rows, more = queues.queue_rows(
            user,
            tab,
            start=start,
            size=PAGE_SIZE,
            now=now,
            procedure_id=procedure_id,
            status=status,
            order=order,
        )

    params = request.GET.copy()
    params.pop("page", None)
    base = {k: params.get(k) for k in params}
    tabs = [
        {
            "name": name,
            "label": label,
            "count": counts.get(name),
            "url": _query({k: v for k, v in base.items() if k != "q"}, tab=name),
            "active": not q and name == tab,
        }
        for name, label in TABS
    ]
    # What the rows are really sorted by: search results newest first, and the "new" queue
    # (no due dates yet) by submission.
    sorted_by = "-submitted" if q else ("submitted" if tab == "new" and order == "due" else order)
    sort_links = {
        key: _query(base, order=(f"-{key}" if sorted_by == key else key))
        for key in ("due", "submitted")
    }
    return render(
        request,
        "workflow/inbox.html",
        _workspace(
            request,
            tabs=tabs,
            tab=tab,
            tab_label=dict(TABS)[tab],
            q=q,
            filters=filters,
            sorted_by=sorted_by,
            sort_links=sort_links,
            rows=rows,
            rows_html=fragments.inbox_rows(rows, show_unit=bool(q) or tab == "all"),
            task_rows=task_rows,
            page=page,
            previous_url=_query(base, page=page - 1) if page > 1 else "",
            next_url=_query(base, page=page + 1) if more else "",
            now=now,
        ),
    )


# --- Dossier page -------------------------------------------------------------------------


@dataclass(slots=True)
class TimelineEntry:
    """One line of the officer's timeline, every value ready to print (fragments.timeline)."""

    action: str
    label: str
    status_change: str  # "Đang xử lý → Đã xử lý xong", or "" when the status stayed
    internal: bool
    at: str
    at_iso: str
    actor: str | None  # None: no officer or applicant (MotCua itself)
    unit_name: str
    handover: str  # "unit → unit · hạn ...", or ""
    note: str  # the event's note (for the applicant, unless internal)
    items: list
    note_label: str
    internal_note: str  # the officer's note kept in the event's data


def _timeline(events) -> list[TimelineEntry]:
    """dossier_page.dossier_page_data's events as lines; each label translated once."""
    labels: dict[str, str] = {}
    statuses: dict = {}
    internal, plain = _("Ghi chú nội bộ"), _("Ghi chú")
    tz = timezone.get_current_timezone()

    def status(value):
        if value not in statuses:
            statuses[value] = choice_label(Status, value)
        return statuses[value]

    entries = []
    for e in events:
        action = e["action"]
        if action not in labels:
            act = machine.ACTIONS.get(action)
            labels[action] = str(act.label if act else EVENT_LABELS.get(action, action))
        data = e["data"] if isinstance(e["data"], dict) else {}
        changed = e["from_status"] is not None and e["from_status"] != e["to_status"]
        source, target = e["from_unit_name"], e["to_unit_name"]
        handover = ""
        if source and target and source != target:
            handover = f"{source} → {target}"
            if e["step_due_at"]:
                due = local_text(e["step_due_at"], tz=tz)
                handover += " · " + _("hạn %(due)s") % {"due": due}
        entries.append(
            TimelineEntry(
                action=action,
                label=labels[action],
                status_change=f"{status(e['from_status'])} → {status(e['to_status'])}"
                if changed
                else "",
                internal=not e["is_public"],
                at=local_text(e["at"], tz=tz),
                at_iso=local_iso(e["at"], tz),
                actor=(e["actor_name"] or "") if e["actor_id"] is not None else None,
                unit_name=e["unit_name"],
                handover=handover,
                note=e["note"],
                items=[i for i in data.get("items") or [] if isinstance(i, dict)],
                note_label=internal if action in INTERNAL_NOTE_EVENTS else plain,
                internal_note=str(data.get("note") or ""),
            )
        )
    return entries


def _attachment_groups(attachments) -> list[tuple]:
    """(component name, its files) in the order read, one group per component."""
    groups: dict[int, tuple] = {}
    for attachment in attachments:
        key = attachment["component_id"]
        groups.setdefault(key, (attachment["component_name"], []))[1].append(attachment)
    return list(groups.values())


def _render_dossier(request, dossier, *, comment_form=None, task_forms=None, status=200):
    user = request.user
    now = timezone.now()
    data = dossier_page_data(dossier)
    procedure = dossier.procedure
    sections = (
        bind(procedure.form_schema, procedure.form_ui, dossier.form_data)
        if procedure.form_schema and dossier.form_data
        else []
    )
    my_units = {m.unit_id for m in access.memberships(user)}
    task_forms = task_forms or {}
    tasks = [
        (
            task,
            task_forms.get(task.pk, TaskAnswerForm(task=task))
            if task.state == Task.State.OPEN and task.unit_id in my_units
            else None,
            task.state == Task.State.OPEN and task.due_at < now,
        )
        for task in data["tasks"]
    ]
    step = (
        dossier.workflow.step(dossier.step_key) if dossier.workflow and dossier.step_key else None
    )
    timeline = _timeline(data["events"])
    allowed = sorted(
        machine.available_actions(dossier, user), key=lambda a: a.name not in PRIMARY_ACTIONS
    )
    actions = [
        (
            act,
            reverse("workflow:action", args=[dossier.uuid, act.name]),
            act.name in PRIMARY_ACTIONS,
        )
        for act in allowed
    ]
    return render(
        request,
        "workflow/dossier.html",
        _workspace(
            request,
            dossier=dossier,
            row=dossier_rows([dossier], now)[0],
            step=step,
            role_label=Role(dossier.current_role).label if dossier.current_role else "",
            sections=sections,
            applicant_address=data["applicant_address"],
            registered_by=data["registered_by"],
            answers_html=fragments.answers(sections),
            attachment_groups=_attachment_groups(data["attachments"]),
            timeline=timeline,
            timeline_html=fragments.timeline(timeline),
            comments=data["comments"],
            comment_form=comment_form or CommentForm(),
            tasks=tasks,
            documents=data["documents"],
            actions=actions,
            error_list=(comment_form.error_list() if comment_form and comment_form.errors else [])
            + [link for form in task_forms.values() for link in form.error_list()],
        ),
        status=status,
    )


@officer_required
def dossier_page(request, dossier_uuid):
    return _render_dossier(request, _dossier_or_404(request, dossier_uuid))


@officer_required
@require_POST
def comment(request, dossier_uuid):
    dossier = _dossier_or_404(request, dossier_uuid)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(dossier, request.user, form.cleaned_data["text"])
        except machine.TransitionRefused as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, _("Đã thêm ý kiến nội bộ."))
            return redirect(reverse("workflow:dossier", args=[dossier.uuid]) + "#comments")
    return _render_dossier(request, dossier, comment_form=form, status=400)


@officer_required
@require_POST
def answer_task(request, dossier_uuid, task_id):
    dossier = _dossier_or_404(request, dossier_uuid)
    task = get_object_or_404(Task, pk=task_id, dossier=dossier)
    form = TaskAnswerForm(request.POST, task=task)
    if form.is_valid():
        try:
            machine.answer_task(task.pk, request.user, form.cleaned_data["answer"])
        except machine.TransitionRefused as exc:
            form.add_error("answer", exc.message)
        else:
            messages.success(request, _("Đã gửi trả lời."))
            return redirect(reverse("workflow:dossier", args=[dossier.uuid]) + "#tasks")
    return _render_dossier(request, dossier, task_forms={task.pk: form}, status=400)


# --- Attachments: inline preview ----------------------------------------------------------

PREVIEWABLE = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}


def _attachment_or_404(request, dossier_uuid, attachment_id):
    dossier = _dossier_or_404(request, dossier_uuid)
    attachment = get_object_or_404(
        Attachment.objects.select_related("component"), pk=attachment_id, dossier=dossier
    )
    return dossier, attachment


@officer_required
@xframe_options_sameorigin
def attachment_file(request, dossier_uuid, attachment_id):
    """The file itself, inline when the browser can show it (PDF, JPEG, PNG)."""
    _dossier, attachment = _attachment_or_404(request, dossier_uuid, attachment_id)
    kind = PREVIEWABLE.get(attachment.content_type)
    inline = kind is not None and request.GET.get("download") != "1"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    # Shown inside the preview page's frame (same origin), never run as a page of the site.
    csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    if kind != "pdf":  # browsers' PDF viewers do not start in a sandbox
        csp += "; sandbox"
    response["Content-Security-Policy"] = csp
    return response


@officer_required
def attachment_preview(request, dossier_uuid, attachment_id):
    dossier, attachment = _attachment_or_404(request, dossier_uuid, attachment_id)
    return render(
        request,
        "workflow/attachment_preview.html",
        _workspace(
            request,
            dossier=dossier,
            attachment=attachment,
            kind=PREVIEWABLE.get(attachment.content_type, ""),
        ),
    )


# --- Actions (thao tác xử lý) ---------------------------------------------------------------


def _unit_groups(act, dossier) -> list[tuple[str, list[tuple[int, str]]]]:
    """Who can receive a transfer (desks of other agencies) or a consultation (other units)."""
    units = Unit.objects.filter(is_active=True, agency__is_active=True).select_related("agency")
    if act.name == "transfer":
        units = units.filter(kind=Unit.Kind.DESK).exclude(agency_id=dossier.receiving_agency_id)
    else:
        units = units.exclude(pk=dossier.current_unit_id)
    own = dossier.receiving_agency_id
    groups: dict[int, tuple[str, list]] = {}
    for unit in sorted(units, key=lambda u: (u.agency_id != own, u.agency.name, u.name)):
        groups.setdefault(unit.agency_id, (unit.agency.name, []))[1].append((unit.pk, unit.name))
    return list(groups.values())


def _action_form(act, dossier, data=None):
    return action_form(
        act,
        dossier,
        components=list(dossier.procedure.components.all()) if "items" in act.needs else (),
        unit_groups=_unit_groups(act, dossier) if "unit_ids" in act.needs else (),
        data=data,
    )


@officer_required
def action(request, dossier_uuid, name):
    dossier = _dossier_or_404(request, dossier_uuid)
    act = machine.ACTIONS.get(name)
    if act is None or act.actor != machine.OFFICER:
        raise Http404
    unavailable = ""
    status = 200
    if request.method == "POST":
        form = _action_form(act, dossier, request.POST)
        if form.is_valid():
            try:
                done = machine.perform(
                    dossier.pk,
                    act.name,
                    request.user,
                    expected_version=form.cleaned_data["expected_version"],
                    **form.params(),
                )
            except machine.TransitionRefused as exc:
                # Show the dossier as it is now and keep what the officer typed.
                dossier = _dossier_or_404(request, dossier_uuid)
                data = request.POST.copy()
                data["expected_version"] = str(dossier.version)
                form = _action_form(act, dossier, data)
                form.is_valid()
                form.add_error(None, exc.message)
            else:
                text = _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.") % {
                    "action": act.label,
                    "code": done.code,
                }
                if act.name in ISSUES:
                    text += " " + _("Đã ban hành %(document)s.") % {
                        "document": ISSUES[act.name].label.lower()
                    }
                messages.success(request, text)
                return redirect("workflow:dossier", dossier.uuid)
        status = 400
    else:
        form = _action_form(act, dossier)
        try:
            machine.check(act, dossier, request.user)
        except machine.TransitionRefused as exc:
            unavailable = exc.message
    return render(
        request,
        "workflow/action.html",
        _workspace(
            request,
            dossier=dossier,
            act=act,
            form=form,
            error_list=form.error_list() if form.errors else [],
            unavailable=unavailable,
            document=ISSUES.get(act.name),
            row=dossier_rows([dossier])[0],
        ),
        status=status,
    )


# --- Counter intake (tiếp nhận hồ sơ giấy) --------------------------------------------------


@officer_required
def intake(request):
    desks = access.desk_units(request.user)
    if not desks:
        raise PermissionDenied
    procedures = (
        Procedure.objects.in_force()
        .filter(receiving_agency_id__in={u.agency_id for u in desks})
        .only("id", "code", "name", "delivery_options", "receiving_agency_id")
        .order_by("code")
    )
    chosen = request.POST.get("procedure") or request.GET.get("procedure")
    chooser = ProcedureChoiceForm({"procedure": chosen} if chosen else None, procedures=procedures)
    if not chooser.is_bound or not chooser.is_valid():
        return render(
            request,
            "workflow/intake_choose.html",
            _workspace(
                request,
                chooser=chooser,
                error_list=chooser.error_list() if chooser.errors else [],
            ),
            status=400 if chooser.errors else 200,
        )
    procedure = chooser.cleaned_data["procedure"]
    components = list(procedure.components.all())
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, procedure=procedure, components=components)
        if form.is_valid():
            data = form.cleaned_data
            person = services.WalkInApplicant(
                full_name=data["full_name"],
                citizen_id=data["citizen_id"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                organisation_name=data["organisation_name"].strip(),
                tax_code=data["tax_code"],
            )
            try:
                dossier = services.register_counter_dossier(
                    officer=request.user,
                    procedure=procedure,
                    person=person,
                    channel=data["channel"],
                    files=form.uploads,
                    note=data["note"].strip(),
                    delivery=data["delivery"],
                )
            except machine.TransitionRefused as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:  # DossierError and upload checks: all rolled back
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _(
                        "Đã đăng ký hồ sơ %(code)s. Kiểm tra hồ sơ rồi tiếp nhận hoặc "
                        "yêu cầu bổ sung ngay trên trang này."
                    )
                    % {"code": dossier.code},
                )
                return redirect("workflow:dossier", dossier.uuid)
    else:
        form = IntakeForm(procedure=procedure, components=components)
    return render(
        request,
        "workflow/intake.html",
        _workspace(
            request,
            procedure=procedure,
            form=form,
            error_list=form.error_list() if form.errors or form.component_errors else [],
        ),
        status=400 if request.method == "POST" else 200,
    )


# --- Workflow editor (quy trình nội bộ) -----------------------------------------------------


@officer_required
def workflows(request):
    agencies = access.administered_agency_ids(request.user)
    if not agencies:
        raise PermissionDenied
    procedures = (
        Procedure.objects.filter(receiving_agency_id__in=agencies)
        .annotate(
            workflow_version=Max("workflows__version"),
            workflow_saved_at=Max("workflows__created_at"),
        )
        .only("id", "code", "name", "effective_from", "effective_to")
        .order_by("code", "-effective_from")
    )
    return render(
        request, "workflow/workflows.html", _workspace(request, procedures=list(procedures))
    )


def _step_rows(workflow, units) -> list[dict]:
    rows = []
    for step in workflow.steps if workflow else []:
        unit = units.get(step["unit"])
        rows.append(
            {
                "key": step["key"],
                "name": step["name"],
                "unit": unit.name if unit else step["unit"],
                "unit_code": step["unit"],
                "unit_missing": unit is None,
                "role": Role(step["role"]).label if step["role"] in Role.values else step["role"],
                "days": _days(step["days"]),
                "signs": bool(step.get("signs")),
                "actions": [
                    str(machine.ACTIONS[STEP_ACTION_NAMES.get(a, a)].label)
                    for a in step.get("actions", [])
                ],
            }
        )
    return rows


def _starter_definition(units) -> dict:
    """A sound first draft from the agency's units, for a procedure without a workflow."""
    by_kind = {}
    for unit in units.values():
        by_kind.setdefault(unit.kind, unit.code)
    desk = by_kind.get(Unit.Kind.DESK, "mot-cua")
    specialist = by_kind.get(Unit.Kind.SPECIALIST, "chuyen-mon")
    leadership = by_kind.get(Unit.Kind.LEADERSHIP, "lanh-dao")
    return {
        "steps": [
            {
                "key": "reception",
                "name": "Tiếp nhận hồ sơ",
                "unit": desk,
                "role": "desk",
                "days": 0.25,
                "actions": ["supplement", "refuse"],
            },
            {
                "key": "review",
                "name": "Thẩm định hồ sơ",
                "unit": specialist,
                "role": "specialist",
                "days": 1,
                "actions": ["supplement", "consult", "transfer", "stop"],
            },
            {
                "key": "approval",
                "name": "Phê duyệt, ký",
                "unit": leadership,
                "role": "leader",
                "days": 0.5,
                "signs": True,
                "actions": ["send_back"],
            },
            {"key": "return", "name": "Trả kết quả", "unit": desk, "role": "desk", "days": 0.25},
        ],
        "supplement_within_days": 1,
        "payment_pauses_clock": False,
    }


@officer_required
def workflow_edit(request, procedure_id):
    agencies = access.administered_agency_ids(request.user)
    if not agencies:
        raise PermissionDenied
    procedure = get_object_or_404(
        Procedure.objects.select_related("receiving_agency"),
        pk=procedure_id,
        receiving_agency_id__in=agencies,
    )
    versions = list(
        Workflow.objects.filter(procedure=procedure)
        .select_related("created_by")
        .order_by("-version")
    )
    current = versions[0] if versions else None
    shown = current
    wanted = request.GET.get("phien-ban", "")
    if wanted.isdigit():
        shown = next((w for w in versions if w.version == int(wanted)), None)
        if shown is None:
            raise Http404
    units = {
        u.code: u
        for u in Unit.objects.filter(agency_id=procedure.receiving_agency_id, is_active=True)
    }
    if request.method == "POST":
        form = WorkflowForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_workflow_version(
                    procedure,
                    form.cleaned_data["definition"],
                    actor=request.user,
                    note=form.cleaned_data["note"].strip(),
                )
            except services.WorkflowInvalid as exc:
                for problem in exc.problems:
                    form.add_error("definition", problem)
            else:
                if current is not None and saved.pk == current.pk:
                    messages.info(
                        request,
                        _("Quy trình không thay đổi; vẫn là phiên bản %(v)s.")
                        % {"v": saved.version},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Đã lưu quy trình phiên bản %(v)s. Hồ sơ nộp từ bây giờ theo phiên "
                            "bản này; hồ sơ đã nộp trước đó vẫn xử lý theo phiên bản cũ."
                        )
                        % {"v": saved.version},
                    )
                return redirect("workflow:workflow_edit", procedure.pk)
    else:
        definition = shown.definition if shown else _starter_definition(units)
        form = WorkflowForm(
            initial={"definition": json.dumps(definition, ensure_ascii=False, indent=2)}
        )
    return render(
        request,
        "workflow/workflow_edit.html",
        _workspace(
            request,
            procedure=procedure,
            current=current,
            shown=shown,
            versions=versions,
            steps=_step_rows(shown, units),
            units=sorted(units.values(), key=lambda u: (u.kind, u.code)),
            form=form,
            error_list=form.error_list() if form.errors else [],
            roles=[(r.value, r.label) for r in Role if r != Role.AGENCY_ADMIN],
            step_actions=[
                (a, machine.ACTIONS[STEP_ACTION_NAMES.get(a, a)].label) for a in STEP_ACTIONS
            ],
            processing_time=procedure.processing_time,
        ),
        status=400 if request.method == "POST" else 200,
    )
