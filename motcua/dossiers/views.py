import uuid
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import representation
from motcua.catalogue.fees import fee_schedule_of
from motcua.catalogue.forms_schema import (
    bind,
    caused_elsewhere,
    parse_post,
    section_states,
    summary_entry,
    too_many_items,
    too_many_posted,
    validate_form,
)
from motcua.catalogue.models import Component
from motcua.catalogue.selectors import procedure_in_force
from motcua.core import ratelimit
from motcua.core.boundary import accepts_files
from motcua.core.client import client_ip
from motcua.core.files import stored_file
from motcua.core.qr import qr_data_uri
from motcua.dossiers import access_log, once_only, selectors, services
from motcua.dossiers import messages as conversation
from motcua.dossiers.expiry import draft_expires_at
from motcua.dossiers.models import (
    WITHDRAWABLE,
    Attachment,
    Dossier,
    DossierMessageAttachment,
    Status,
)


def applicant_required(view):
    """Logged-in citizens and organisations only; officers use the back office."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_applicant:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _draft_or_redirect(request, dossier_uuid):
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    return dossier, (None if dossier.is_draft else redirect("dossiers:detail", dossier.uuid))


@require_POST
def start(request, code):
    procedure = procedure_in_force(code)
    if procedure is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("catalogue:detail", args=[code]))
    if not request.user.is_applicant:
        raise PermissionDenied
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        token = None
    # A person who may act for others first says for whom (decision 0077).
    choices = [
        s for s in representation.standings(request.user) if s.may_act and s.covers(procedure.code)
    ]
    principal = request.user
    if choices:
        chosen = request.POST.get("for", "")
        if not chosen:
            return render(
                request,
                "dossiers/start_for.html",
                {"procedure": procedure, "choices": choices, "token": token or uuid.uuid4()},
            )
        found = next((s for s in choices if str(s.principal_id) == chosen), None)
        if found is not None:
            principal = found.principal
        elif chosen != "self":
            return render(
                request,
                "dossiers/start_for.html",
                {
                    "procedure": procedure,
                    "choices": choices,
                    "token": token or uuid.uuid4(),
                    "error_list": [("for-self", _("Chọn quý vị nộp hồ sơ cho ai."))],
                },
                status=400,
            )
    try:
        dossier = services.dossier_start(
            procedure=procedure, applicant=request.user, token=token, principal=principal
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("catalogue:detail", code)
    outcome = getattr(dossier, "prefill_outcome", None)
    if outcome is not None:
        for problem in outcome.problems:  # a register that could not be reached
            messages.warning(request, problem)
        if outcome.message():
            messages.info(request, outcome.message())
    return redirect("dossiers:detail", dossier.uuid)


@applicant_required
def mine(request):
    principals = {s.principal_id: s.principal for s in representation.standings(request.user)}
    try:
        chosen = int(request.GET.get("principal", ""))
    except ValueError:
        chosen = None
    if chosen is not None and chosen != request.user.pk and chosen not in principals:
        chosen = None
    dossiers = selectors.dossiers_of(request.user, principal_id=chosen)
    page = Paginator(dossiers, 20).get_page(request.GET.get("page"))
    for dossier in page:
        if dossier.is_draft:
            dossier.expires_at = draft_expires_at(dossier)
    return render(
        request,
        "dossiers/mine.html",
        {"page": page, "principals": list(principals.values()), "chosen": chosen},
    )


def _sections(procedure):
    return list((procedure.form_schema.get("properties") or {}).items())


def _sections_dict(procedure) -> dict:
    return procedure.form_schema.get("properties") or {}


def submitted_page(request, dossier, *, status=200, **extra):
    """The applicant's page of a submitted dossier; forms that fail re-show it with `extra`
    (also the applicant's actions on it, motcua.workflow.views.applicant)."""
    try:
        seen_page = min(max(int(request.GET.get("seen_page", 1)), 1), 1000)
    except ValueError:
        seen_page = 1
    seen, more_seen = access_log.seen_by(dossier, page=seen_page)
    # A follower reads; only someone who may act writes, withdraws, pays (decision 0076).
    may_act = getattr(dossier, "standing", None) is None or dossier.standing.may_act
    thread = conversation.thread(dossier, officer=False)
    thread.can_write = thread.is_open and may_act
    for message in thread.messages:
        for f in message.files:
            f.url = reverse("dossiers:message_file", args=[dossier.uuid, f.pk])
    context = {
        "dossier": dossier,
        "page": selectors.applicant_page(
            dossier,
            can_withdraw=may_act and dossier.status in WITHDRAWABLE,
        ),
        "may_act": may_act,
        "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "error_list": [],
        "seen": seen,
        "seen_page": seen_page,
        "more_seen": more_seen,
        "thread": thread,
        "message_post_url": reverse("dossiers:message_post", args=[dossier.uuid]),
    }
    context.update(extra)
    response = render(request, "dossiers/detail.html", context, status=status)
    if thread.unread and may_act:
        conversation.mark_read(dossier=dossier, reader=request.user)
    return response


@applicant_required
def detail(request, dossier_uuid):
    dossier = selectors.dossier_of(request.user, dossier_uuid)
    if not dossier.is_draft:
        return submitted_page(request, dossier)
    procedure = dossier.procedure
    attachments = list(dossier.attachments.all())
    readiness = services.dossier_readiness(dossier, attachments=attachments)
    states = section_states(procedure.form_schema, dossier.form_data, readiness.form_errors)
    return render(
        request,
        "dossiers/task_list.html",
        {
            "dossier": dossier,
            "sections": [
                (name, sub.get("title", name), states[name]) for name, sub in _sections(procedure)
            ],
            "attachments_state": "completed"
            if not readiness.missing_components
            else ("in_progress" if attachments else "not_started"),
            "delivery_state": "completed" if dossier.delivery_method else "not_started",
            "readiness": readiness,
            "expires_at": draft_expires_at(dossier),
            "expiry_days": settings.DRAFT_EXPIRY_DAYS,
        },
    )


def _section_schema(procedure, name):
    sub = (procedure.form_schema.get("properties") or {}).get(name)
    if sub is None:
        raise Http404
    required = [name] if name in (procedure.form_schema.get("required") or []) else []
    return {"type": "object", "properties": {name: sub}, "required": required}


def _list_at(data: dict, path: str, section: str) -> list | None:
    """The repeating group at `path` inside this section's answers; None for any other path
    (the value comes from the button the applicant pressed, so it is user input)."""
    if path != section and not path.startswith(section + "."):
        return None
    node = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, [] if part == path.rsplit(".", 1)[-1] else {})
        else:
            return None
    return node if isinstance(node, list) else None


def _section_errors(errors, name):
    return {p: m for p, m in errors.items() if p == name or p.startswith(name + ".")}


def _too_many_message(over: list[tuple[str, int]]) -> str:
    label, limit = over[0]
    return _("“%(label)s” có tối đa %(n)s mục.") % {"label": label, "n": limit}


@applicant_required
def edit_section(request, dossier_uuid, section):
    dossier, done = _draft_or_redirect(request, dossier_uuid)
    if done:
        return done
    procedure = dossier.procedure
    schema = _section_schema(procedure, section)
    names = [n for n, _sub in _sections(procedure)]
    data = dict(dossier.form_data)  # as saved; replaced by the answers posted once read
    errors = {}
    refusal = ""  # why the POST was not saved: shown at the top, the draft keeps what it had
    notice = ""  # why the button did nothing (a list already at its limit)
    show_errors = request.GET.get("check") == "1"
    if request.method == "POST":
        autosave = request.headers.get("X-Requested-With") == "fetch"
        # Checked on the raw keys before anything is parsed, validated, stored or shown again:
        # a forged POST of a thousand rows costs no more than a normal one.
        too_many = too_many_posted(schema, request.POST, saved=dossier.form_data)
        if too_many:
            refusal = _too_many_message(too_many) + " " + _("Nội dung vừa gửi chưa được lưu.")
        else:
            section_data = parse_post(schema, procedure.form_ui, request.POST)
            data[section] = section_data.get(
                section, {} if schema["properties"][section].get("type") == "object" else []
            )
            if request.POST.get("_add"):
                items = _list_at(data, request.POST["_add"], section)
                if items is not None:
                    items.append({})
                    over = too_many_items(schema, {section: data[section]})
                    if over:
                        items.pop()
                        notice = _too_many_message(over)
            elif request.POST.get("_remove"):
                path, _sep, index = request.POST["_remove"].rpartition(".")
                items = _list_at(data, path, section)
                if items is not None and index.isdigit() and int(index) < len(items):
                    items.pop(int(index))
            try:
                errors = services.dossier_save_form(
                    dossier=dossier, applicant=request.user, data=data, validate=not autosave
                )
            except ValidationError as exc:
                refusal = exc.messages[0]
            else:
                lookup = _lookup_requested(request, procedure, section)
                if lookup:
                    return _fill_from_register(request, dossier, section, lookup)
        if autosave:
            if refusal:
                return JsonResponse({"saved": False, "error": refusal}, status=400)
            return JsonResponse({"saved": True})
        if not refusal and not (request.POST.get("_add") or request.POST.get("_remove")):
            if not _section_errors(errors, section):
                elsewhere = caused_elsewhere(
                    procedure.form_schema, procedure.form_ui, data, section, errors
                )
                # A cross-field rule: this answer asks for more in another section; go there,
                # its errors shown (decision 0050).
                target = next((n for n in names if _section_errors(elsewhere, n)), None)
                if target is not None:
                    messages.warning(
                        request,
                        _(
                            "Theo câu trả lời ở mục “%(here)s”, mục “%(there)s” cần thêm "
                            "thông tin: vui lòng bổ sung."
                        )
                        % {
                            "here": schema["properties"][section].get("title", section),
                            "there": _sections_dict(procedure)[target].get("title", target),
                        },
                    )
                    url = reverse("dossiers:section", args=[dossier.uuid, target])
                    return redirect(f"{url}?check=1")
                position = names.index(section)
                if position + 1 < len(names):
                    return redirect("dossiers:section", dossier.uuid, names[position + 1])
                return redirect("dossiers:attachments", dossier.uuid)
            show_errors = True
    if show_errors and not errors:
        errors = validate_form(procedure.form_schema, procedure.form_ui, data)
    section_errors = _section_errors(errors, section) if show_errors else {}
    fields = bind(schema, procedure.form_ui, {section: data.get(section)}, section_errors)
    once_only.annotate(fields, dossier)
    error_list = fields[0].all_errors
    if refusal or notice:
        error_list = [(fields[0].id, refusal or notice), *error_list]
    return render(
        request,
        "dossiers/section.html",
        {
            "dossier": dossier,
            "section": fields[0],
            "error_list": error_list,
            "section_title": schema["properties"][section].get("title", section),
        },
        status=400 if refusal else 200,
    )


def _lookup_requested(request, procedure, section) -> str:
    """The instance path of the key field whose "fetch from the register" button was pressed
    ("vehicles.1.plate"), if it is one of this section's key fields; else ""."""
    path = request.POST.get("_lookup", "")
    if not path or not (path == section or path.startswith(section + ".")):
        return ""
    hint_path = ".".join("*" if part.isdigit() else part for part in path.split("."))
    return path if hint_path in once_only.key_fields(procedure.form_ui) else ""


def _fill_from_register(request, dossier, section, key_path):
    """The applicant pressed "fetch from the register" beside a key field: look it up, fill
    the fields that depend on it, and show the section again with what came of it."""
    try:
        outcome = once_only.fill_from_registers(dossier=dossier, user=request.user, only=key_path)
    except ValidationError as exc:  # the account's quota
        messages.error(request, exc.messages[0])
    else:
        for problem in outcome.problems:
            messages.warning(request, problem)
        if outcome.message():
            messages.success(request, outcome.message())
    url = reverse("dossiers:section", args=[dossier.uuid, section])
    return redirect(f"{url}#f-{key_path.replace('.', '-')}")


@accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")
@applicant_required
def attachments(request, dossier_uuid):
    dossier, done = _draft_or_redirect(request, dossier_uuid)
    if done:
        return done
    components = list(dossier.procedure.components.all())
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        component, stored, problems = _store_uploads(request, dossier, components)
        if problems:
            errors[component.pk] = problems
        else:
            messages.success(request, _("Đã tải lên %(n)s tệp.") % {"n": stored})
            return redirect("dossiers:attachments", dossier.uuid)
    files_by_component: dict[int, list[Attachment]] = {}
    for attachment in dossier.attachments.all():
        files_by_component.setdefault(attachment.component_id, []).append(attachment)
    required = {c.pk for c in services.required_components(dossier, components)}
    # Components the agency obtains from a register for the keys the answers give (decision
    # 0079): looked up here, when the form is done, and not asked for when they answer.
    obtained = once_only.obtain_components(
        dossier=dossier, user=request.user, components=components
    )
    return render(
        request,
        "dossiers/attachments.html",
        {
            "dossier": dossier,
            "rows": [
                ComponentRow(
                    dossier,
                    c,
                    files_by_component.get(c.pk, []),
                    errors.get(c.pk, []),
                    c.pk in required,
                    obtained.get(c.pk),
                )
                for c in components
            ],
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            "error_list": [(f"component-{pk}", m) for pk, ms in errors.items() for m in ms],
        },
        status=400 if errors else 200,
    )


@dataclass(frozen=True)
class ComponentRow:
    """One component on the attachments page; also what its "applicant_component" panels
    get (an app above may offer another way to provide it, core.panels)."""

    dossier: Dossier
    component: Component
    files: list
    errors: list
    required: bool
    obtained: object = None  # once_only.ObtainedState when a register may provide it


def _store_uploads(request, dossier, components):
    """Store the files posted for one component: (component, files stored, error messages)."""
    component = next((c for c in components if str(c.pk) == request.POST.get("component")), None)
    if component is None:
        raise Http404
    files = request.FILES.getlist("files")
    if not files:
        return component, 0, [_("Chọn ít nhất một tệp để tải lên.")]
    problems: list[str] = []
    for upload in files:
        try:
            services.attachment_add(
                dossier=dossier, component=component, upload=upload, applicant=request.user
            )
        except ValidationError as exc:
            problems.extend(exc.messages)
    return component, len(files), problems


@applicant_required
@require_POST
def attachment_delete(request, dossier_uuid, attachment_id):
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if dossier.status not in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED):
        return redirect("dossiers:detail", dossier.uuid)
    attachment = get_object_or_404(Attachment, pk=attachment_id, dossier=dossier)
    try:
        services.attachment_remove(attachment=attachment, applicant=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Đã xóa tệp “%(name)s”.") % {"name": attachment.original_name})
    if dossier.is_draft:
        return redirect("dossiers:attachments", dossier.uuid)
    return redirect(_supplement_url(dossier))


@applicant_required
def attachment_download(request, dossier_uuid, attachment_id):
    dossier = selectors.dossier_of(request.user, dossier_uuid)
    attachment = get_object_or_404(Attachment, pk=attachment_id, dossier=dossier)
    return stored_file(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=request.GET.get("inline") == "1",
    )


@applicant_required
def delivery(request, dossier_uuid):
    dossier, done = _draft_or_redirect(request, dossier_uuid)
    if done:
        return done
    error = ""
    if request.method == "POST":
        try:
            services.dossier_save_delivery(
                dossier=dossier,
                applicant=request.user,
                method=request.POST.get("method", ""),
                postal_address=request.POST.get("postal_address", "")[:300],
            )
            return redirect("dossiers:review", dossier.uuid)
        except ValidationError as exc:
            error = exc.messages[0]
    options = [
        (value, label)
        for value, label in Dossier.Delivery.choices
        if value in (dossier.procedure.delivery_options or [])
    ]
    return render(
        request,
        "dossiers/delivery.html",
        {
            "dossier": dossier,
            "options": options,
            "error": error,
            "chosen": request.POST.get("method", dossier.delivery_method),
            "postal_address": request.POST.get(
                "postal_address", dossier.postal_address or dossier.applicant.address
            ),
        },
        status=400 if error else 200,
    )


def _review_context(dossier):
    procedure = dossier.procedure
    readiness = services.dossier_readiness(dossier)
    sections = bind(
        procedure.form_schema, procedure.form_ui, dossier.form_data, readiness.form_errors
    )
    # Each wrong answer in the summary, linked to its field on its section's page.
    form_error_links = []
    for section in sections:
        url = reverse("dossiers:section", args=[dossier.uuid, section.path]) + "?check=1"
        form_error_links.extend(
            (f"{url}#{anchor}", message) for anchor, message in section.all_errors
        )
    return {
        "dossier": dossier,
        "sections": sections,
        "readiness": readiness,
        "form_error_links": form_error_links,
        "attachments": dossier.attachments.select_related("component"),
        "sourced": once_only.sourced_answers(dossier),
        "obtained_rows": once_only.obtained_rows(dossier),
    }


@applicant_required
def review(request, dossier_uuid):
    dossier, done = _draft_or_redirect(request, dossier_uuid)
    if done:
        return done
    return render(request, "dossiers/review.html", _review_context(dossier))


@applicant_required
@require_POST
def submit(request, dossier_uuid):
    declared = request.POST.get("declaration") == "on"
    confirmed = request.POST.get("confirm_prepared") == "on"
    if declared:
        try:
            dossier = services.dossier_submit(
                dossier_uuid=dossier_uuid, applicant=request.user, confirmed_prepared=confirmed
            )
        except Dossier.DoesNotExist:
            raise Http404 from None
        except services.PreparedNotConfirmed:
            pass  # said at its checkbox, below
        except services.EmailNotVerified as exc:
            messages.error(request, exc.messages[0])
            review_url = reverse("dossiers:review", args=[dossier_uuid])
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': review_url})}")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("dossiers:review", dossier_uuid)
        else:
            return redirect("dossiers:submitted", dossier.uuid)
    # The declaration not made, or a prepared draft not confirmed: the review page again.
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if not dossier.is_draft:
        return redirect("dossiers:submitted", dossier.uuid)
    context = _review_context(dossier)
    context["error_list"] = []
    # At the top too, linked to the checkbox: the declaration sits far down the page.
    if dossier.prepared_at is not None and not confirmed:
        context["confirm_error"] = _(
            "Xác nhận quý vị đã kiểm tra hồ sơ do cơ quan chuẩn bị sẵn trước khi nộp."
        )
        context["error_list"].append(
            (
                "confirm_prepared",
                summary_entry(_("Xác nhận hồ sơ chuẩn bị sẵn"), context["confirm_error"]),
            )
        )
    if not declared:
        context["declaration_error"] = _("Xác nhận lời cam đoan trước khi nộp hồ sơ.")
        context["error_list"].append(
            ("declaration", summary_entry(_("Lời cam đoan"), context["declaration_error"]))
        )
    return render(request, "dossiers/review.html", context, status=400)


@applicant_required
def submitted(request, dossier_uuid):
    dossier = selectors.dossier_of(request.user, dossier_uuid)
    if dossier.is_draft:
        return redirect("dossiers:detail", dossier.uuid)
    track_url = f"{settings.SITE_URL}{reverse('dossiers:track')}?code={dossier.code}"
    procedure = dossier.procedure
    has_fee = fee_schedule_of(procedure).get("kind") not in (None, "zero")
    pay_now = dossier.status == Status.AWAITING_PAYMENT
    return render(
        request,
        "dossiers/submitted.html",
        {
            "dossier": dossier,
            "qr": qr_data_uri(track_url),
            "pay_now": pay_now,
            "fee_later": has_fee and not pay_now,
        },
    )


@applicant_required
@require_POST
def discard(request, dossier_uuid):
    dossier, done = _draft_or_redirect(request, dossier_uuid)
    if done:
        return done
    services.dossier_discard(dossier=dossier, applicant=request.user)
    messages.success(request, _("Đã xóa bản nháp."))
    return redirect("dossiers:mine")


# ---------------------------------------------------------------------------------------
# After submission: supplement (bổ sung hồ sơ) and withdrawal (rút hồ sơ)


def _supplement_url(dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.uuid]) + "#supplement"


@accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")
@applicant_required
@require_POST
def supplement_upload(request, dossier_uuid):
    """Upload a file for a component the officer asked to supplement (status 5)."""
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if dossier.is_draft:
        return redirect("dossiers:attachments", dossier.uuid)
    components = list(dossier.procedure.components.all())
    _component, stored, problems = _store_uploads(request, dossier, components)
    if problems:
        item = request.POST.get("item", "")[:4]
        return submitted_page(
            request,
            dossier,
            status=400,
            upload_item=item,
            upload_errors=problems,
            error_list=[(f"supplement-files-{item}", message) for message in problems],
        )
    messages.success(request, _("Đã tải lên %(n)s tệp.") % {"n": stored})
    return redirect(_supplement_url(dossier))


# ---------------------------------------------------------------------------------------
# The conversation with the handling unit (decision 0044)


@accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")
@applicant_required
@require_POST
def message_post(request, dossier_uuid):
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if dossier.is_draft:
        raise Http404
    text = request.POST.get("text", "")
    try:
        conversation.post_message(
            dossier=dossier, author=request.user, text=text, files=request.FILES.getlist("files")
        )
    except conversation.MessageRefused as refused:
        return submitted_page(
            request, dossier, status=400, **conversation.refused_context(refused, text)
        )
    messages.success(request, _("Đã gửi tin nhắn tới cơ quan giải quyết."))
    return redirect(reverse("dossiers:detail", args=[dossier.uuid]) + "#messages")


@applicant_required
def message_file(request, dossier_uuid, file_id):
    dossier = selectors.dossier_of(request.user, dossier_uuid)
    found = get_object_or_404(DossierMessageAttachment, pk=file_id, dossier=dossier)
    return stored_file(found.file, content_type=found.content_type, filename=found.original_name)


def track(request):
    """Public tracking (tra cứu hồ sơ) by dossier code plus phone number or ID number."""
    context = {"code": request.GET.get("code", "")[:48], "dossier": None, "not_found": False}
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")[:48]
        secret = request.POST.get("secret", "")[:20]
        context["code"] = code
        try:
            dossier = services.track_dossier(
                code=code, secret=secret, client_ip=client_ip(request) or ""
            )
        except services.TrackingLimited as limited:
            context["limited"] = ratelimit.wait_text(limited.seconds)
            status = 429
        else:
            if dossier is None:
                context["not_found"] = True
                status = 404
            else:
                context["dossier"] = dossier
    return render(request, "dossiers/track.html", context, status=status)
