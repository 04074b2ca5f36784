"""Counter and postal intake (tiếp nhận hồ sơ giấy): the desk registers a paper dossier."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from motcua.accounts.decorators import officer_required
from motcua.catalogue.models import Procedure
from motcua.core.boundary import accepts_files
from motcua.dossiers import access
from motcua.workflow import machine, services
from motcua.workflow.forms import IntakeForm, ProcedureChoiceForm
from motcua.workflow.views.common import workspace


@accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")
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
            workspace(
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
        workspace(
            request,
            procedure=procedure,
            form=form,
            error_list=form.error_list() if form.errors or form.component_errors else [],
        ),
        status=400 if request.method == "POST" else 200,
    )
