import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import officer_required, verified_login_required
from motcua.core import ratelimit
from motcua.core.boundary import accepts_files
from motcua.core.client import client_ip
from motcua.core.retention import file_removed
from motcua.core.uploads import check_upload
from motcua.dossiers import access_log, acting, selectors
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.models import AccessRecord
from motcua.results import reuse as reuse_service
from motcua.results import services
from motcua.results.models import ResultDocument
from motcua.signing import services as signing_services

UPLOAD_SCOPE = "verify-upload"


def _ascii(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "ket-qua"


@require_GET
@verified_login_required
def download(request, result_id):
    """The signed PDF, for the dossier's applicant or an officer who may see the dossier."""
    result = get_object_or_404(ResultDocument.objects.select_related("dossier"), pk=result_id)
    user, dossier = request.user, result.dossier
    applicant_side = acting.applicant_may(user, dossier) is not None
    if not applicant_side and not can_view_dossier(user, dossier):
        raise Http404
    if dossier.purged_at:
        return file_removed(request, purged_at=dossier.purged_at)
    filename = f"ket-qua-{_ascii(dossier.code or str(result.pk))}-{result.pk}.pdf"
    response = FileResponse(result.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    if not applicant_side:
        access_log.record_view(
            actor=user,
            kind=AccessRecord.Kind.RESULT,
            dossier=dossier,
            object_id=result.pk,
            label=f"{result.title} {result.number}",
            request=request,
        )
    return response


@require_POST
@officer_required
def revoke(request, result_id):
    result = get_object_or_404(ResultDocument.objects.select_related("dossier"), pk=result_id)
    dossier = result.dossier
    if not can_view_dossier(request.user, dossier):
        raise Http404
    try:
        services.revoke_result(
            result=result,
            actor=request.user,
            reason=request.POST.get("reason", "")[:1000],
            request=request,
        )
    except services.RevocationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã thu hồi %(title)s số %(number)s.")
            % {"title": result.title, "number": result.number},
        )
    return redirect("workflow:dossier", dossier_uuid=dossier.uuid)


@require_POST
def reuse(request, dossier_uuid):
    """The applicant gives an earlier result of theirs for a component of their draft."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_applicant:
        raise PermissionDenied
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    component = dossier.procedure.components.filter(
        pk=request.POST.get("component", "") if request.POST.get("component", "").isdigit() else 0
    ).first()
    if component is None:
        raise Http404
    try:
        attachment = reuse_service.reuse_result(
            dossier=dossier,
            component=component,
            result_id=request.POST.get("result"),
            applicant=request.user,
            request=request,
        )
    except ResultDocument.DoesNotExist:
        raise Http404 from None
    except reuse_service.ReuseRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, attachment.origin_label)
    if dossier.is_draft:
        return redirect(
            f"{reverse('dossiers:attachments', args=[dossier.uuid])}#component-{component.pk}"
        )
    return redirect("dossiers:detail", dossier.uuid)


def _public(response):
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def verify_token(request, token):
    """Public page behind the QR code: is this document genuine and still valid?"""
    document = signing_services.find_by_token(token)
    context = {
        "document": document,
        "revocation": document.revocation_or_none if document else None,
    }
    return _public(
        render(request, "results/verify_token.html", context, status=200 if document else 404)
    )


def _upload_quota(request):
    """Count the upload against its address's hourly quota before its body is read (run by
    RequestBodyLimitMiddleware, decision 0028): an address over the quota costs nothing.
    Without the counters ratelimit.Unavailable goes up: a 503."""
    ip = client_ip(request) or "unknown"
    try:
        ratelimit.limit(UPLOAD_SCOPE, ip, limit=settings.VERIFY_UPLOADS_PER_HOUR, window=3600)
    except ratelimit.Limited:
        context = {
            "max_size": filesizeformat(settings.VERIFY_UPLOAD_MAX_BYTES),
            "error": _(
                "Quá nhiều lượt kiểm tra từ địa chỉ của quý vị. Vui lòng thử lại sau ít phút."
            ),
        }
        return _public(render(request, "results/verify_upload.html", context, status=429))
    return None


@accepts_files("VERIFY_UPLOAD_MAX_BYTES", before_body=_upload_quota)
@require_http_methods(["GET", "POST"])
def verify_upload(request):
    """Anyone uploads a PDF: valid signature from our CA, unchanged, issued by us, not revoked."""
    context = {"max_size": filesizeformat(settings.VERIFY_UPLOAD_MAX_BYTES)}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Chọn tệp PDF cần kiểm tra.")
            status = 400
        else:
            try:
                if upload.size > settings.VERIFY_UPLOAD_MAX_BYTES:
                    raise ValidationError(
                        _("Tệp lớn hơn giới hạn %(limit)s.") % {"limit": context["max_size"]}
                    )
                check_upload(upload, ["pdf"])
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
                status = 400
            else:
                upload.seek(0)
                verdict = signing_services.verify_pdf(upload.read())
                context["verdict"] = verdict
                context["document"] = verdict.document
                context["revocation"] = (
                    verdict.document.revocation_or_none if verdict.document else None
                )
    return _public(render(request, "results/verify_upload.html", context, status=status))
