"""The workflow editor (quy trình nội bộ): the agency administrator's versions of each
procedure's workflow."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import Role, Unit
from motcua.catalogue.models import Procedure
from motcua.dossiers import access
from motcua.workflow import machine, services
from motcua.workflow.definition import STEP_ACTIONS
from motcua.workflow.forms import WorkflowForm
from motcua.workflow.models import Workflow
from motcua.workflow.views.common import days_text, workspace


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
        request, "workflow/workflows.html", workspace(request, procedures=list(procedures))
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
                "days": days_text(step["days"]),
                "signs": bool(step.get("signs")),
                "actions": [
                    str(machine.action_for_permission(a).label) for a in step.get("actions", [])
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
        workspace(
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
            step_actions=[(a, machine.action_for_permission(a).label) for a in STEP_ACTIONS],
            processing_time=procedure.processing_time,
        ),
        status=400 if request.method == "POST" else 200,
    )
