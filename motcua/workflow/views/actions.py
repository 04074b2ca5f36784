"""What the officer does on a dossier: the actions of the state machine, internal comments
and the answers to tasks."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import Unit
from motcua.core.boundary import accepts_files
from motcua.core.middleware import SecurityHeadersMiddleware
from motcua.documents.render import style_sources
from motcua.dossiers import access, access_log
from motcua.dossiers import messages as conversation
from motcua.dossiers.models import AccessRecord
from motcua.workflow import machine, services
from motcua.workflow.forms import CommentForm, TaskAnswerForm, action_form
from motcua.workflow.models import Task
from motcua.workflow.rows import dossier_rows
from motcua.workflow.views.common import dossier_or_404, workspace
from motcua.workflow.views.dossier import render_dossier


@officer_required
@require_POST
def comment(request, dossier_uuid):
    dossier = dossier_or_404(request, dossier_uuid)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(dossier, request.user, form.cleaned_data["text"])
        except machine.TransitionRefused as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, _("Đã thêm ý kiến nội bộ."))
            return redirect(reverse("workflow:dossier", args=[dossier.uuid]) + "#comments")
    return render_dossier(request, dossier, comment_form=form, status=400)


@accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")
@officer_required
@require_POST
def message(request, dossier_uuid):
    """A message to the applicant in the dossier's conversation (decision 0044)."""
    dossier = dossier_or_404(request, dossier_uuid)
    text = request.POST.get("text", "")
    try:
        conversation.post_message(
            dossier=dossier, author=request.user, text=text, files=request.FILES.getlist("files")
        )
    except PermissionError:
        raise Http404 from None
    except conversation.MessageRefused as refused:
        context = conversation.refused_context(refused, text)
        return render_dossier(request, dossier, message_context=context, status=400)
    messages.success(request, _("Đã gửi tin nhắn tới người nộp hồ sơ."))
    return redirect(reverse("workflow:dossier", args=[dossier.uuid]) + "#messages")


@officer_required
@require_POST
def answer_task(request, dossier_uuid, task_id):
    dossier = dossier_or_404(request, dossier_uuid)
    task = get_object_or_404(Task, pk=task_id, dossier=dossier)
    form = TaskAnswerForm(request.POST, task=task)
    if form.is_valid():
        try:
            machine.answer_task(
                task_id=task.pk, actor=request.user, answer=form.cleaned_data["answer"]
            )
        except machine.TransitionRefused as exc:
            form.add_error("answer", exc.message)
        else:
            messages.success(request, _("Đã gửi trả lời."))
            if not access.can_view_dossier(request.user, dossier):
                # Its answer given, the consulted unit no longer sees the dossier.
                return redirect(reverse("workflow:inbox") + "?tab=tasks")
            return redirect(reverse("workflow:dossier", args=[dossier.uuid]) + "#tasks")
    return render_dossier(request, dossier, task_forms={task.pk: form}, status=400)


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


def action_form_for(act, dossier, data=None):
    """The form of `act` on `dossier` with its choices (components, receiving units): the
    officer's page and the API's officer actions parse input with it (decision 0072)."""
    return action_form(
        act,
        dossier,
        components=list(dossier.procedure.components.all()) if "items" in act.needs else (),
        unit_groups=_unit_groups(act, dossier) if "unit_ids" in act.needs else (),
        data=data,
    )


def due_words(moment) -> str:
    """16:30 ngày 21/12/2026."""
    local = timezone.localtime(moment)
    return _("%(time)s ngày %(date)s") % {
        "time": local.strftime("%H:%M"),
        "date": local.strftime("%d/%m/%Y"),
    }


def _preview(act, dossier, user, data=None):
    """What the action will issue and set (machine.preview), or None when it cannot be
    shown yet (an input the action needs is missing: the officer previews after typing)."""
    if act.preview is None:
        return None
    if data is None and act.input is not None:
        try:
            data = act.input()
        except TypeError:
            return None
    return machine.preview(dossier=dossier, action=act.name, actor=user, data=data)


@officer_required
def action(request, dossier_uuid, name):
    dossier = dossier_or_404(request, dossier_uuid)
    act = machine.ACTIONS.get(name)
    if act is None or act.actor != machine.OFFICER:
        raise Http404
    unavailable = ""
    status = 200
    preview = None
    if request.method == "POST":
        form = action_form_for(act, dossier, request.POST)
        if form.is_valid():
            data = form.to_input()
            try:
                current = form.cleaned_data["expected_version"] == dossier.version
                preview = _preview(act, dossier, request.user, data) if current else None
                # Decision 0053: what is issued is what the officer saw. "Xem trước" shows
                # it; a confirmation whose document (or due date, or receiving unit) is not
                # the one previewed shows the new one instead of issuing it.
                if preview is not None and (
                    "preview" in request.POST
                    or request.POST.get("previewed") != preview.fingerprint
                ):
                    return _page(
                        request,
                        dossier,
                        act,
                        form,
                        preview,
                        review_again="preview" not in request.POST,
                    )
                done = machine.perform(
                    dossier_id=dossier.pk,
                    action=act.name,
                    actor=request.user,
                    data=data,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except machine.TransitionRefused as exc:
                # Show the dossier as it is now and keep what the officer typed.
                dossier = dossier_or_404(request, dossier_uuid)
                data = request.POST.copy()
                data["expected_version"] = str(dossier.version)
                form = action_form_for(act, dossier, data)
                form.is_valid()
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                preview = None
            else:
                messages.success(request, _done_message(act, done, preview))
                if act.signs_result:
                    return redirect(reverse("workflow:dossier", args=[done.uuid]) + "#results")
                return redirect("workflow:dossier", dossier.uuid)
        status = 400
    else:
        form = action_form_for(act, dossier)
        try:
            machine.check(act, dossier, request.user)
        except machine.TransitionRefused as exc:
            unavailable = exc.message
        else:
            try:
                preview = _preview(act, dossier, request.user)
            except machine.TransitionRefused as exc:
                unavailable = exc.message
    return _page(request, dossier, act, form, preview, status=status, unavailable=unavailable)


def _page(request, dossier, act, form, preview, *, status=200, unavailable="", review_again=False):
    response = render(
        request,
        "workflow/action.html",
        workspace(
            request,
            dossier=dossier,
            act=act,
            form=form,
            error_list=form.error_list() if form.errors else [],
            unavailable=unavailable,
            document=act.issues,
            action_preview=preview,
            previews=act.preview is not None,
            review_again=review_again,
            due_words=due_words(preview.due_at) if preview and preview.due_at else "",
            step_due_words=(
                due_words(preview.step_due_at) if preview and preview.step_due_at else ""
            ),
            row=dossier_rows([dossier])[0],
        ),
        status=status,
    )
    if preview is not None and preview.html:
        # The document is shown in an iframe's srcdoc, which inherits this page's policy:
        # let exactly its own styles apply.
        sources = style_sources(preview.html)
        response["Content-Security-Policy"] = SecurityHeadersMiddleware.CSP.replace(
            "style-src 'self'", f"style-src 'self' {sources}"
        )
    # The form shows the dossier's summary (the applicant's name among it).
    access_log.record_view(
        actor=request.user, kind=AccessRecord.Kind.DOSSIER, dossier=dossier, request=request
    )
    return response


def _done_message(act, done, preview) -> str:
    text = _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.") % {
        "action": act.label,
        "code": done.code,
    }
    if act.issues:
        text += " " + _("Đã ban hành %(document)s.") % {"document": act.issues.label.lower()}
    if act.signs_result:
        text += " " + _("Kết quả đã được ký số; tải về ở mục “Kết quả điện tử”.")
    if preview is not None and preview.due_at and done.due_at:
        text += " " + _("%(label)s: %(due)s.") % {
            "label": preview.due_label,
            "due": due_words(done.due_at),
        }
    if preview is not None and preview.unit_name and done.current_unit_id:
        text += " " + _("Hồ sơ đã được chuyển đến %(unit)s.") % {"unit": done.current_unit.name}
    return text
