"""The officer's dossier page (trang hồ sơ): the application, its timeline, comments, tasks
and the actions the officer may take now; and the attachments' inline preview."""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import Role
from motcua.catalogue.forms_schema import bind
from motcua.core.dates import local_iso, local_text
from motcua.core.files import stored_file
from motcua.dossiers import access, access_log
from motcua.dossiers import messages as conversation
from motcua.dossiers.models import (
    AccessRecord,
    Attachment,
    DossierMessageAttachment,
    Status,
    choice_label,
    origin_label,
)
from motcua.dossiers.timeline import kind_of
from motcua.workflow import fragments, machine
from motcua.workflow.dossier_page import dossier_page_data
from motcua.workflow.forms import CommentForm, TaskAnswerForm
from motcua.workflow.models import Task
from motcua.workflow.rows import dossier_rows
from motcua.workflow.views.common import dossier_or_404, workspace


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


def _timeline(events, *, purged: bool = False) -> list[TimelineEntry]:
    """dossier_page.dossier_page_data's events as lines; each label translated once.

    `purged`: the dossier's personal data is gone (decision 0058); the applicant's own words
    on the timeline (a row that cannot change) are no longer shown."""
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
        kind = kind_of(action)
        if action not in labels:
            labels[action] = str(kind.officer_label or action)
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
                note="" if purged and kind.applicant_note else e["note"],
                items=[i for i in data.get("items") or [] if isinstance(i, dict)],
                note_label=internal if kind.internal_note else plain,
                internal_note=str(data.get("note") or ""),
            )
        )
    return entries


def _attachment_groups(attachments) -> list[tuple]:
    """(component name, its files) in the order read, one group per component."""
    groups: dict[int, tuple] = {}
    for attachment in attachments:
        # A result of the applicant's given again (once-only): the officer is told so.
        attachment["origin_label"] = origin_label(
            attachment.get("reused_result_id"), attachment.get("origin") or {}
        )
        key = attachment["component_id"]
        groups.setdefault(key, (attachment["component_name"], []))[1].append(attachment)
    return list(groups.values())


def render_dossier(
    request, dossier, *, comment_form=None, task_forms=None, message_context=None, status=200
):
    user = request.user
    now = timezone.now()
    data = dossier_page_data(dossier)
    thread = conversation.thread(dossier, officer=True, messages=data["messages"])
    answering = access.answering_unit(user, dossier) is not None
    thread.can_write = answering and thread.is_open
    for message in thread.messages:
        for f in message.files:
            f.url = reverse("workflow:message_file", args=[dossier.uuid, f.pk])
    message_context = message_context or {}
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
    timeline = _timeline(data["events"], purged=dossier.purged_at is not None)
    allowed = sorted(machine.available_actions(dossier, user), key=lambda a: not a.primary)
    actions = [
        (act, reverse("workflow:action", args=[dossier.uuid, act.name]), act.primary)
        for act in allowed
    ]
    response = render(
        request,
        "workflow/dossier.html",
        workspace(
            request,
            dossier=dossier,
            row=dossier_rows([dossier], now)[0],
            step=step,
            role_label=Role(dossier.current_role).label if dossier.current_role else "",
            sections=sections,
            applicant_address=data["applicant_address"],
            registered_by=data["registered_by"],
            acted_for=data["acted_for"],
            answers_html=fragments.answers(sections),
            attachment_groups=_attachment_groups(data["attachments"]),
            timeline=timeline,
            timeline_html=fragments.timeline(timeline),
            comments=data["comments"],
            comment_form=comment_form or CommentForm(),
            tasks=tasks,
            documents=data["documents"],
            actions=actions,
            thread=thread,
            message_post_url=reverse("workflow:message_post", args=[dossier.uuid]),
            max_mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            **{k: v for k, v in message_context.items() if k != "error_list"},
            error_list=(comment_form.error_list() if comment_form and comment_form.errors else [])
            + [link for form in task_forms.values() for link in form.error_list()]
            + message_context.get("error_list", []),
        ),
        status=status,
    )
    if thread.unread and answering:
        conversation.mark_read(dossier=dossier, reader=user)
    access_log.record_view(
        actor=user, kind=AccessRecord.Kind.DOSSIER, dossier=dossier, request=request
    )
    return response


@officer_required
def dossier_page(request, dossier_uuid):
    return render_dossier(request, dossier_or_404(request, dossier_uuid))


# --- Attachments: inline preview ----------------------------------------------------------

PREVIEWABLE = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}


def _attachment_or_404(request, dossier_uuid, attachment_id):
    dossier = dossier_or_404(request, dossier_uuid)
    attachment = get_object_or_404(
        Attachment.objects.select_related("component"), pk=attachment_id, dossier=dossier
    )
    return dossier, attachment


def _record_attachment(request, dossier, attachment) -> None:
    access_log.record_view(
        actor=request.user,
        kind=AccessRecord.Kind.ATTACHMENT,
        dossier=dossier,
        object_id=attachment.pk,
        label=attachment.original_name,
        request=request,
    )


@officer_required
@xframe_options_sameorigin
def attachment_file(request, dossier_uuid, attachment_id):
    """The file itself, inline when the browser can show it (PDF, JPEG, PNG)."""
    dossier, attachment = _attachment_or_404(request, dossier_uuid, attachment_id)
    kind = PREVIEWABLE.get(attachment.content_type)
    inline = kind is not None and request.GET.get("download") != "1"
    response = stored_file(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=inline,
    )
    # Shown inside the preview page's frame (same origin), never run as a page of the site.
    csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    if kind != "pdf":  # browsers' PDF viewers do not start in a sandbox
        csp += "; sandbox"
    response["Content-Security-Policy"] = csp
    _record_attachment(request, dossier, attachment)
    return response


@officer_required
def attachment_preview(request, dossier_uuid, attachment_id):
    dossier, attachment = _attachment_or_404(request, dossier_uuid, attachment_id)
    response = render(
        request,
        "workflow/attachment_preview.html",
        workspace(
            request,
            dossier=dossier,
            attachment=attachment,
            kind=PREVIEWABLE.get(attachment.content_type, ""),
        ),
    )
    _record_attachment(request, dossier, attachment)
    return response


# --- The conversation's files ----------------------------------------------------------------


@officer_required
def message_file(request, dossier_uuid, file_id):
    """A file sent in the conversation with the applicant, always as a download."""
    dossier = dossier_or_404(request, dossier_uuid)
    found = get_object_or_404(DossierMessageAttachment, pk=file_id, dossier=dossier)
    response = stored_file(
        found.file, content_type=found.content_type, filename=found.original_name
    )
    access_log.record_view(
        actor=request.user,
        kind=AccessRecord.Kind.ATTACHMENT,
        dossier=dossier,
        object_id=found.pk,
        label=found.original_name,
        request=request,
    )
    return response
