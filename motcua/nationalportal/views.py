"""The officers' pages: a dossier's "Đồng bộ lại" and the administrators' list of dossiers not in
sync with the national portal (/officer/national-portal/)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.dossiers import access as dossier_access
from motcua.nationalportal import access, services
from motcua.nationalportal.models import PortalSync
from motcua.workflow.views.common import dossier_or_404, workspace

LIST_LIMIT = 200


@officer_required
@require_POST
def retry(request, dossier_uuid):
    dossier = dossier_or_404(request, dossier_uuid)  # another agency's: not found
    if not access.can_retry(request.user, dossier):
        raise PermissionDenied
    if services.sync_of(dossier) is None:
        messages.info(request, _("Hồ sơ này chưa có trạng thái nào cần gửi lên Cổng DVC quốc gia."))
    else:
        services.retry_dossier(dossier=dossier, actor=request.user, request=request)
        messages.success(request, _("Đã gửi lại trạng thái của hồ sơ lên Cổng DVC quốc gia."))
    return redirect("workflow:dossier", dossier.uuid)


def _admin_agencies(request) -> set[int]:
    agencies = dossier_access.administered_agency_ids(request.user)
    if not agencies:
        raise PermissionDenied
    return agencies


@officer_required
def not_in_sync(request):
    agencies = _admin_agencies(request)
    rows = list(services.not_in_sync(agencies)[: LIST_LIMIT + 1])
    failed = PortalSync.objects.filter(
        agency_id__in=agencies, state=PortalSync.State.FAILED
    ).count()
    return render(
        request,
        "nationalportal/not_in_sync.html",
        workspace(
            request,
            rows=rows[:LIST_LIMIT],
            truncated=len(rows) > LIST_LIMIT,
            failed_count=failed,
            several=len(agencies) > 1,
        ),
    )


@officer_required
@require_POST
def retry_failed(request):
    agencies = _admin_agencies(request)
    count = services.retry_failed(agency_ids=agencies, actor=request.user, request=request)
    messages.success(
        request,
        _("Đã gửi lại %(n)s hồ sơ lên Cổng DVC quốc gia.") % {"n": count}
        if count
        else _("Không có hồ sơ lỗi nào cần gửi lại."),
    )
    return redirect("nationalportal:not_in_sync")
