"""Payment pages: start a payment, come back from the gateway, the gateway's notification,
receipts, and the list of differences for administrators. Views parse, authorise, call."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import officer_required, verified_login_required
from motcua.core import ratelimit
from motcua.core.client import client_ip
from motcua.core.retention import file_removed
from motcua.dossiers import access, access_log, acting, selectors
from motcua.dossiers.models import AccessRecord
from motcua.payments import receipts, registry, settlement
from motcua.payments.models import GatewayMessage, PaymentIssue, Receipt, ReconciliationRun

START_LIMIT = 20  # payment attempts per applicant per 15 minutes


@require_POST
def start(request, dossier_uuid):
    """The applicant's "Thanh toán trực tuyến" button: open a payment, go to the gateway."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_applicant:
        raise PermissionDenied
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    ident = str(request.user.pk)
    try:
        ratelimit.limit("payment-start", ident, limit=START_LIMIT, window=900)
    except ratelimit.Limited:
        messages.error(
            request, _("Quý vị đã thử thanh toán quá nhiều lần; vui lòng thử lại sau 15 phút.")
        )
        return redirect("dossiers:detail", dossier.uuid)
    try:
        _payment, url = settlement.start_online_payment(
            dossier=dossier,
            applicant=request.user,
            # The procedure's gateway, never one the browser names (decision 0082).
            plugin_id=None,
            client_ip=client_ip(request) or "",
        )
    except settlement.PaymentRefused as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", dossier.uuid)
    return HttpResponseRedirect(url)


def _plugin(gateway):
    plugin = registry.registry.get(gateway)
    if plugin is None:
        raise Http404
    return plugin


@require_GET
@never_cache
def gateway_return(request, gateway):
    """Where the gateway sends the browser back; shows the outcome, polls when still unknown."""
    plugin = _plugin(gateway)
    verdict, payment = settlement.handle_callback(
        plugin, request.GET, kind=GatewayMessage.Kind.RETURN, ip=client_ip(request)
    )
    mine = (
        payment is not None
        and request.user.is_authenticated
        and acting.applicant_may(request.user, payment.dossier) is not None
    )
    return render(
        request,
        "payments/return.html",
        {"verdict": verdict, "payment": payment, "mine": mine},
        status=200 if payment is not None else 400,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request, gateway):
    """The gateway's server-to-server notification (IPN), answered in its own protocol:
    VNPay's is a GET with a query, PayGov's a POST with a JSON body."""
    plugin = _plugin(gateway)
    if request.method not in plugin.notification_methods:
        return HttpResponseNotAllowed(plugin.notification_methods)
    verdict, _payment = settlement.handle_callback(
        plugin,
        plugin.notification_params(request),
        kind=GatewayMessage.Kind.IPN,
        ip=client_ip(request),
    )
    return plugin.callback_response(verdict)


@require_GET
@verified_login_required
def receipt(request, dossier_uuid, receipt_id):
    found = (
        Receipt.objects.select_related("payment__dossier")
        .filter(pk=receipt_id, payment__dossier__uuid=dossier_uuid)
        .first()
    )
    if found is None:
        raise Http404
    dossier = found.payment.dossier
    applicant_side = acting.applicant_may(request.user, dossier) is not None
    if not applicant_side and not access.can_view_dossier(request.user, dossier):
        raise Http404
    if dossier.purged_at:
        return file_removed(request, purged_at=dossier.purged_at)
    if not found.sha256:
        found = receipts.render_receipt(found.pk)
    response = FileResponse(found.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{found.number}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    if not applicant_side:
        access_log.record_view(
            actor=request.user,
            kind=AccessRecord.Kind.RECEIPT,
            dossier=dossier,
            object_id=found.pk,
            label=found.number,
            request=request,
        )
    return response


@require_GET
@officer_required
def issues(request):
    """Differences an agency administrator (or the superuser) must look at."""
    queryset = PaymentIssue.objects.select_related("payment__dossier", "agency")
    if not request.user.is_superuser:
        agencies = access.administered_agency_ids(request.user)
        if not agencies:
            raise PermissionDenied
        queryset = queryset.filter(agency_id__in=agencies)
    show_all = request.GET.get("tat-ca") == "1"
    if not show_all:
        queryset = queryset.filter(resolved_at__isnull=True)
    return render(
        request,
        "payments/issues.html",
        {
            "issues": list(queryset[:500]),
            "runs": list(ReconciliationRun.objects.all()[:14]),
            "show_all": show_all,
            "gateways": registry.active_ids(),
            "sandbox": settings.SANDBOX_ENABLED,
        },
    )
