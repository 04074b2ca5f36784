"""Exports of the period table and the indicators (decision 0064): start one for the current
filter, follow its progress, download the file. Only the requester sees an export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.audit import record_audit
from motcua.core.files import stored_file
from motcua.reports import access, exports
from motcua.reports.export_jobs import ExportRefused, start_export
from motcua.reports.filters import ReportFilter
from motcua.reports.forms_exports import ExportForm
from motcua.reports.models import Export
from motcua.reports.tabs import tabs
from motcua.reports.views_common import reader_required
from motcua.workflow.views.common import workspace

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
RECENT = 10


def _own_export(request, export_uuid) -> Export:
    """The requester's export; anyone else's (or none) is a 404."""
    export = Export.objects.filter(uuid=export_uuid, requested_by=request.user).first()
    if export is None:
        raise Http404
    return export


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@reader_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    """GET: the filter (a ReportFilter query string), its summary, the format and the reader's
    recent exports. POST (to the same query string): start an export of that filter."""
    report_filter = ReportFilter(request.GET or None, user=request.user)
    form = ExportForm(request.POST if request.method == "POST" else None)
    status = 200
    if report_filter.is_bound and not report_filter.is_valid():
        status = 400
    elif request.method == "POST":
        scope = report_filter.scope
        if not access.can_read_agency(request.user, scope.agency_id):
            raise PermissionDenied
        if form.is_valid():
            try:
                export = start_export(
                    user=request.user,
                    format=form.cleaned_data["format"],
                    period=report_filter.period,
                    scope=scope,
                    query=report_filter.query(),
                    request=request,
                )
            except ExportRefused as exc:
                messages.error(request, exc.message)
                status = 429
            else:
                return redirect("reports:export", export_uuid=export.uuid)
        else:
            status = 400
    error_list = (
        report_filter.error_links() if report_filter.is_bound and status == 400 else []
    ) + (form.error_links() if form.is_bound else [])
    period, scope = report_filter.period, report_filter.scope
    agency_name, _receiver = exports.agency_names(scope.agency_id)
    return _no_store(
        render(
            request,
            "reports/exports/list.html",
            workspace(
                request,
                report_filter=report_filter,
                tabs=tabs(current="exports", form=report_filter),
                form=form,
                error_list=error_list,
                period_text=exports.period_text(period),
                agency_name=agency_name,
                scope_notes=exports.scope_notes(scope),
                query=report_filter.query(),
                exports=Export.objects.filter(requested_by=request.user).order_by("-created_at")[
                    :RECENT
                ],
            ),
            status=status,
        )
    )


@reader_required
@require_GET
def export_detail(request, export_uuid):
    export = _own_export(request, export_uuid)
    return _no_store(
        render(request, "reports/exports/detail.html", workspace(request, export=export))
    )


def status_of(export: Export) -> dict:
    return {
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "progress": export.progress,
        "finished": export.finished,
        "download_url": reverse("reports:export_download", args=[export.uuid])
        if export.status == Export.Status.DONE
        else "",
        "error": export.error,
    }


@reader_required
@require_GET
def export_status(request, export_uuid):
    return _no_store(JsonResponse(status_of(_own_export(request, export_uuid))))


@reader_required
@require_GET
def export_download(request, export_uuid):
    export = _own_export(request, export_uuid)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    if not access.can_read_agency(request.user, export.parameters.get("agency")):
        raise Http404  # no longer a reader of that agency
    if not export.file.storage.exists(export.file.name):
        raise Http404
    record_audit(
        action="report_export_downloaded",
        actor=request.user,
        target=f"export:{export.uuid}",
        request=request,
    )
    return _no_store(
        stored_file(
            export.file, content_type=CONTENT_TYPES[export.format], filename=export.filename
        )
    )
