"""Back-office services besides the state machine: routing new dossiers, counter intake,
workflow versions, comments and the escalation of late tasks."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, Unit, User
from motcua.catalogue.models import Agency, Procedure
from motcua.core.audit import record_audit
from motcua.core.events import TaskLate
from motcua.core.outbox import publish
from motcua.core.text import fold
from motcua.dossiers import access, intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import store_attachment
from motcua.dossiers.timeline import record_event
from motcua.payments import charges
from motcua.workflow import machine
from motcua.workflow.definition import definition_problems
from motcua.workflow.machine import TransitionRefused
from motcua.workflow.models import Comment, Task, Workflow

DEMO_DIR = Path(__file__).resolve().parent / "demo"


class WorkflowInvalid(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------
# Workflow versions


def current_workflow(procedure) -> Workflow | None:
    """The procedure's latest workflow version (a Procedure or its id)."""
    return Workflow.objects.filter(procedure=procedure).order_by("-version").first()


def unit_codes(agency_id) -> dict[str, str]:
    return dict(
        Unit.objects.filter(agency_id=agency_id, is_active=True).values_list("code", "kind")
    )


def save_workflow_version(procedure, definition, *, actor=None, note="") -> Workflow:
    """Validate and save `definition` as the procedure's next workflow version.

    Earlier versions stay as they were: dossiers already submitted keep following them.
    """
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise WorkflowInvalid(
                [
                    _("Không đọc được JSON: %(msg)s (dòng %(line)s).")
                    % {"msg": exc.msg, "line": exc.lineno}
                ]
            ) from exc
    problems = definition_problems(
        definition,
        processing_days=procedure.processing_time,
        unit_codes=unit_codes(procedure.receiving_agency_id),
    )
    if problems:
        raise WorkflowInvalid(problems)
    with transaction.atomic():
        latest = (
            Workflow.objects.select_for_update()
            .filter(procedure=procedure)
            .aggregate(v=Max("version"))["v"]
        )
        if latest:
            current = Workflow.objects.get(procedure=procedure, version=latest)
            if current.definition == definition:
                return current
        workflow = Workflow.objects.create(
            procedure=procedure,
            version=(latest or 0) + 1,
            definition=definition,
            note=note,
            created_by=actor,
        )
        record_audit(
            action="workflow.version_saved",
            actor=actor,
            target=f"{procedure.code} v{workflow.version}",
            note=note,
        )
    return workflow


def copy_workflow(*, from_procedure_id: int, to_procedure_id: int) -> Workflow | None:
    """The latest workflow of one procedure version saved as the first of another (a new
    version from the national database keeps the local workflow); None when there is none,
    or the target has one already."""
    source = current_workflow(from_procedure_id)
    if source is None or Workflow.objects.filter(procedure_id=to_procedure_id).exists():
        return None
    return Workflow.objects.create(
        procedure_id=to_procedure_id,
        version=1,
        definition=source.definition,
        note=f"Sao từ quy trình v{source.version} của phiên bản trước",
        created_by=None,
    )


# ---------------------------------------------------------------------------------------
# Routing


def search_text_for(dossier: Dossier) -> str:
    """What officers search a dossier by, folded: applicant, ID numbers, phone, plates."""
    parts = [dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone]
    parts += _plates(dossier.form_data)
    return fold(" ".join(p for p in parts if p))[:2000]


def _plates(data) -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("plate", "plate_number", "registration_mark") and isinstance(value, str):
                found.append(value)
                # "51A-123.45" is also found as "51A12345".
                found.append("".join(ch for ch in value if ch.isalnum()))
            else:
                found += _plates(value)
    elif isinstance(data, list):
        for item in data:
            found += _plates(item)
    return found


ROUTED_FIELDS = ("workflow", "step_key", "current_unit", "current_role", "search_text")


def route_submitted(dossier: Dossier) -> None:
    """Put a just-submitted dossier in the reception queue of its agency's desk, and charge
    the fee due with the application, if any (DossierSubmitted's synchronous subscriber,
    inside the submission's transaction). The desk may see the dossier from now on."""
    workflow = current_workflow(dossier.procedure_id)
    dossier.workflow = workflow
    desk = None
    if workflow is not None:
        first = workflow.steps[0]
        desk = Unit.objects.filter(
            agency_id=dossier.receiving_agency_id, code=first["unit"], is_active=True
        ).first()
        dossier.step_key = first["key"]
    if desk is None:
        desk = Unit.objects.filter(
            agency_id=dossier.receiving_agency_id, kind=Unit.Kind.DESK, is_active=True
        ).first()
    dossier.current_unit = desk
    dossier.current_role = Role.DESK
    dossier.search_text = search_text_for(dossier)
    if desk is not None:
        access.grant(dossier, desk)
    dossier.save(update_fields=ROUTED_FIELDS)
    charge_if_due_at_submission(dossier)


def charge_if_due_at_submission(dossier: Dossier) -> None:
    """A fee due with the application (payment_due "submission") is charged on routing, and
    the dossier waits for it in status 6 (the machine's system action "await_payment")."""
    workflow = dossier.workflow
    if workflow is None or workflow.definition.get("payment_due") != "submission":
        return
    charge = charges.charge_at_submission(dossier)
    if charge is None:  # nothing to pay (zero fee, exemption or waiver)
        return
    machine.perform(
        dossier_id=dossier.pk,
        action="await_payment",
        actor=None,
        data=machine.FeeDueInput(amount=charge.amount),
        locked=dossier,
    )


# ---------------------------------------------------------------------------------------
# Counter and postal intake (tiếp nhận trực tiếp, qua bưu chính)


@dataclass
class WalkInApplicant:
    full_name: str
    citizen_id: str
    phone: str = ""
    email: str = ""
    address: str = ""
    organisation_name: str = ""
    tax_code: str = ""


def applicant_account(person: WalkInApplicant) -> User:
    """The applicant's account, found by ID number, or a new one without a password.

    A walk-in applicant can later claim the account (password reset by e-mail or phone)
    and find the dossier under "My dossiers". An organisation sent without a representative's
    ID number (through the API) is found by its tax code.
    """
    if person.citizen_id:
        found = User.objects.filter(citizen_id=person.citizen_id)
    else:
        found = User.objects.filter(tax_code=person.tax_code or None, kind="organisation")
    user = found.filter(kind__in=["citizen", "organisation"]).first()
    if user is not None:
        return user
    phone = person.phone or None
    if phone and User.objects.filter(phone=phone).exists():
        phone = None
    email = person.email or None
    if email and User.objects.filter(email__iexact=email).exists():
        email = None
    user = User(
        email=email,
        phone=phone,
        kind=User.Kind.ORGANISATION if person.organisation_name else User.Kind.CITIZEN,
        full_name=person.full_name,
        citizen_id=person.citizen_id,
        address=person.address,
        organisation_name=person.organisation_name,
        tax_code=person.tax_code,
    )
    user.set_unusable_password()
    user.save()
    return user


def register_counter_dossier(
    *, officer, procedure, person: WalkInApplicant, channel, files, note="", delivery="counter"
) -> Dossier:
    """Register a paper dossier received at the desk or by post (status 1, like online).

    `files` maps component ids to uploaded files (the scans). The dossier gets its code,
    timeline and deadlines exactly as an online one; its channel says how it came.
    """
    desk = next(iter(access.desk_units(officer)), None)
    if desk is None:
        raise TransitionRefused(_("Chỉ cán bộ Bộ phận Một cửa được tiếp nhận hồ sơ giấy."))
    if channel not in (Dossier.Channel.COUNTER, Dossier.Channel.POST):
        raise TransitionRefused(_("Chọn hình thức nộp: trực tiếp hoặc qua bưu chính."))
    with transaction.atomic():
        applicant = applicant_account(person)
        dossier = Dossier(
            procedure=procedure,
            applicant=applicant,
            receiving_agency=desk.agency,
            registered_by=officer,
            delivery_method=delivery,
            postal_address=person.address if delivery == "post" else "",
            applicant_name=person.organisation_name or person.full_name,
            applicant_phone=person.phone,
            applicant_id_number=person.tax_code or person.citizen_id,
            applicant_email=person.email,
        )
        intake.submit(
            dossier=dossier,
            actor=officer,
            channel=channel,
            note=(
                _("Nộp hồ sơ trực tiếp tại %(unit)s.")
                if channel == Dossier.Channel.COUNTER
                else _("Hồ sơ nhận qua dịch vụ bưu chính tại %(unit)s.")
            )
            % {"unit": desk.name},
            place=desk.name,
            data={"note": note} if note else {},
        )
        components = {c.pk: c for c in procedure.components.all()}
        for component_id, uploads in files.items():
            for upload in uploads:
                store_attachment(dossier, components[component_id], upload, uploaded_by=officer)
    return dossier


# ---------------------------------------------------------------------------------------
# Comments and late tasks


def add_comment(dossier: Dossier, author, text: str) -> Comment:
    text = (text or "").strip()
    if not text:
        raise TransitionRefused(_("Nhập nội dung ý kiến."))
    if not access.can_view_dossier(author, dossier):
        raise TransitionRefused(_("Bạn không được xem hồ sơ này."))
    return Comment.objects.create(dossier=dossier, author=author, text=text[:5000])


def escalate_late_tasks(now=None) -> int:
    """Report each late, unanswered task once to the heads of the lead agency's desk.

    D61 art.19(5): late consultations are escalated. Run every few minutes (Celery beat)
    or from cron through `manage.py escalate_late_tasks`.
    """
    now = now or timezone.now()
    count = 0
    late = Task.objects.filter(state=Task.State.OPEN, due_at__lt=now, escalated_at__isnull=True)
    for task_id in late.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            task = (
                Task.objects.select_for_update()
                .select_related("dossier", "unit", "unit__agency")
                .get(pk=task_id)
            )
            if task.escalated_at is not None or task.state != Task.State.OPEN:
                continue
            task.escalated_at = now
            task.save(update_fields=["escalated_at"])
            record_event(
                dossier=task.dossier,
                action="escalate",
                from_status=task.dossier.status,
                note=_(
                    "%(unit)s (%(agency)s) chưa trả lời đúng hạn; đã báo lãnh đạo Bộ phận Một cửa."
                )
                % {"unit": task.unit.name, "agency": task.unit.agency.name},
                public=False,
            )
            publish(TaskLate.about(task.dossier, action="escalate", task_id=task.pk))
            count += 1
    return count


# ---------------------------------------------------------------------------------------
# Demo organisation


def load_organisation(path: Path | None = None) -> dict:
    """Create the demo units and workflows (idempotent); returns counts."""
    data = json.loads((path or DEMO_DIR / "organisation.json").read_text(encoding="utf-8"))
    units = 0
    for agency_id, agency_units in data["units"].items():
        agency = Agency.objects.get(identifier=agency_id)
        for item in agency_units:
            Unit.objects.update_or_create(
                agency=agency,
                code=item["code"],
                defaults={"name": item["name"], "kind": item["kind"]},
            )
            units += 1
    workflows = 0
    for code, definition in data["workflows"].items():
        for procedure in Procedure.objects.filter(code=code):
            save_workflow_version(procedure, definition, note="Quy trình mẫu")
            workflows += 1
    return {"units": units, "workflows": workflows}
