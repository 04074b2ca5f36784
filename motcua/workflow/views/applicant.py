"""The applicant's actions on a dossier in progress (state machine actions taken by the
applicant): send the supplemented dossier back, ask to withdraw it. Their page is the
dossier's page (motcua.dossiers.views.submitted_page)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.dossiers import selectors
from motcua.dossiers.views import applicant_required, submitted_page
from motcua.workflow import machine


def _expected_version(request) -> int:
    """The dossier version the page showed; a missing or forged one never matches."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@applicant_required
@require_POST
def supplement_submit(request, dossier_uuid):
    """Send the supplemented dossier back (nộp hồ sơ bổ sung): machine action submit_supplement."""
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    note = request.POST.get("note", "").strip()[:2000]
    error = ""
    try:
        machine.perform(
            dossier_id=dossier.pk,
            action="submit_supplement",
            actor=request.user,
            data=machine.NoteInput(note=note),
            expected_version=_expected_version(request),
        )
    except machine.TransitionRefused as exc:
        error = exc.message
    if error:
        return submitted_page(
            request,
            dossier,
            status=400,
            supplement_note=note,
            supplement_error=error,
            error_list=[("supplement-note", error)],
        )
    messages.success(
        request, _("Đã nộp hồ sơ bổ sung. Cơ quan sẽ tiếp tục giải quyết hồ sơ của quý vị.")
    )
    return redirect("dossiers:detail", dossier.uuid)


@applicant_required
def withdraw(request, dossier_uuid):
    """Ask to withdraw the dossier (yêu cầu rút hồ sơ); the agency confirms it."""
    dossier = selectors.dossier_of(request.user, dossier_uuid, act=True)
    if dossier.is_draft:
        return redirect("dossiers:detail", dossier.uuid)
    error = ""
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:2000]
        try:
            machine.perform(
                dossier_id=dossier.pk,
                action="request_withdrawal",
                actor=request.user,
                data=machine.ReasonInput(reason=reason),
                expected_version=_expected_version(request),
            )
        except machine.TransitionRefused as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã gửi yêu cầu rút hồ sơ, chờ cơ quan xác nhận."))
            return redirect("dossiers:detail", dossier.uuid)
    else:
        try:
            machine.check(machine.ACTIONS["request_withdrawal"], dossier, request.user)
        except machine.TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("dossiers:detail", dossier.uuid)
    return render(
        request,
        "dossiers/withdraw.html",
        {
            "dossier": dossier,
            "reason": reason,
            "error": error,
            "error_list": [("reason", error)] if error else [],
        },
        status=400 if error else 200,
    )
