"""What an integrator's requests about dossiers do (decision 0069).

A client creates a draft on an applicant's behalf, attaches files and submits it, through
the portal's own services (the draft, its form, its files, its readiness) and the one intake
(`dossiers.intake.submit`); the applicant's account is found or made as at the counter. It
reads the dossiers its agency (or an agency under it) receives; a draft only when it made it.
Every read of personal data is written to the access log with the client's name.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.validators import normalise_phone
from motcua.api.clients import agency_ids
from motcua.api.models import ApiClient, ClientDossier
from motcua.catalogue.models import Procedure
from motcua.core.chain import day_bounds
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access_log, intake
from motcua.dossiers.models import AccessRecord, Attachment, Dossier, DossierEvent, Status
from motcua.dossiers.selectors import public_timeline
from motcua.dossiers.services import (
    DossierError,
    Readiness,
    attachment_add,
    dossier_readiness,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
)
from motcua.payments.charges import outstanding_amount
from motcua.payments.models import Charge, Payment
from motcua.results.models import ResultDocument
from motcua.workflow.dossier_page import workflow_version
from motcua.workflow.services import WalkInApplicant, applicant_account


class Incomplete(DossierError):
    """A draft that cannot be submitted yet; `readiness` says what it lacks."""

    def __init__(self, readiness: Readiness):
        super().__init__(_("Hồ sơ chưa đầy đủ, chưa nộp được."))
        self.readiness = readiness


# --- What a client may reach ----------------------------------------------------------------


def visible_dossiers(client: ApiClient) -> QuerySet[Dossier]:
    """The dossiers received by the client's agency or one under it; drafts only its own."""
    return Dossier.objects.filter(receiving_agency_id__in=agency_ids(client)).filter(
        ~Q(status=Status.DRAFT) | Q(api_origin__client=client)
    )


def dossiers_of(
    *,
    client: ApiClient,
    code: str = "",
    status: int | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
) -> QuerySet[Dossier]:
    """The list's dossiers: by code, status, and local days of submission (both included)."""
    dossiers = visible_dossiers(client).select_related("procedure")
    if code:
        dossiers = dossiers.filter(code=code.strip().upper())
    if status is not None:
        dossiers = dossiers.filter(status=status)
    # The calendar's first and last days bound nothing (and their bounds overflow in UTC).
    if submitted_from and submitted_from > date.min:
        dossiers = dossiers.filter(submitted_at__gte=day_bounds(submitted_from)[0])
    if submitted_to and submitted_to < date.max:
        dossiers = dossiers.filter(submitted_at__lt=day_bounds(submitted_to)[1])
    return dossiers


def dossier_for(*, client: ApiClient, dossier_uuid) -> Dossier:
    """The dossier, or Dossier.DoesNotExist (a 404) when the client may not see it; with
    `charged`, whether any fee was ever charged (fees_of reads nothing more when none was).
    Its workflow version is read by step_name from the process's copy."""
    return (
        visible_dossiers(client)
        .select_related("procedure", "receiving_agency", "current_unit")
        .annotate(charged=Exists(Charge.objects.filter(dossier=OuterRef("pk"))))
        .get(uuid=dossier_uuid)
    )


def draft_for(*, client: ApiClient, dossier_uuid) -> Dossier:
    """A dossier the client made (files and submission go only to those)."""
    return (
        Dossier.objects.filter(api_origin__client=client)
        .select_related("procedure", "applicant")
        .get(uuid=dossier_uuid)
    )


def procedure_for(*, client: ApiClient, code: str) -> Procedure:
    """The version in force of the procedure `code` that the client's agency receives."""
    procedure = (
        Procedure.objects.in_force()
        .filter(code=code, receiving_agency_id__in=agency_ids(client))
        .order_by("-effective_from", "-id")
        .first()
    )
    if procedure is None:
        raise DossierError(
            {
                "procedure": [
                    _("Cơ quan của quý vị không tiếp nhận thủ tục mã “%(code)s”.") % {"code": code}
                ]
            }
        )
    if not procedure.accepts_online:
        raise DossierError({"procedure": [_("Thủ tục này chưa nhận hồ sơ trực tuyến.")]})
    return procedure


# --- Create, attach, submit -----------------------------------------------------------------


def create_dossier(
    *,
    client: ApiClient,
    procedure_code: str,
    person: WalkInApplicant,
    form_data: dict | None,
    delivery_method: str = "",
    postal_address: str = "",
) -> tuple[Dossier, Readiness]:
    """A draft of the procedure for the applicant `person` (their account found by ID number
    or made, as at the counter), with `form_data` saved as the portal saves it: invalid
    answers are kept and listed in the readiness."""
    procedure = procedure_for(client=client, code=procedure_code)
    with transaction.atomic():
        applicant = applicant_account(person)
        # No register look-up in this transaction: the client sends the answers it holds.
        dossier = dossier_start(procedure=procedure, applicant=applicant, from_registers=False)
        ClientDossier.objects.create(client=client, dossier=dossier)
        if form_data is not None:
            dossier_save_form(dossier=dossier, applicant=applicant, data=form_data, validate=False)
        if delivery_method:
            dossier_save_delivery(
                dossier=dossier,
                applicant=applicant,
                method=delivery_method,
                postal_address=postal_address or person.address,
            )
        # Who applied, as the client says (the counter's snapshot); the intake keeps it.
        dossier.applicant_name = person.organisation_name or person.full_name
        dossier.applicant_phone = normalise_phone(person.phone)
        dossier.applicant_id_number = person.tax_code or person.citizen_id
        dossier.applicant_email = person.email
        dossier.save(
            update_fields=[
                "applicant_name",
                "applicant_phone",
                "applicant_id_number",
                "applicant_email",
                "updated_at",
            ]
        )
    return dossier, dossier_readiness(dossier)


def add_attachment(*, dossier: Dossier, component_id: int, upload) -> Attachment:
    """Check and store one file for a component of the client's draft, as the portal does."""
    component = dossier.procedure.components.filter(pk=component_id).first()
    if component is None:
        raise DossierError({"component": [_("Thủ tục không có thành phần hồ sơ này.")]})
    with transaction.atomic():
        return attachment_add(
            dossier=dossier, component=component, upload=upload, applicant=dossier.applicant
        )


def submit_dossier(*, client: ApiClient, dossier_uuid) -> Dossier:
    """Submit the client's complete draft online: its code, the desk's queue, a fee due at
    submission, exactly as the portal's submission. A dossier already submitted is returned
    as it is; an incomplete draft raises Incomplete."""
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "receiving_agency")
            .get(uuid=dossier_uuid, api_origin__client=client)
        )
        if not dossier.is_draft:
            return dossier
        readiness = dossier_readiness(dossier)
        if not readiness.ready:
            raise Incomplete(readiness)
        with translation.override(settings.LANGUAGE_CODE):  # the timeline is the agency's record
            note = _("Nộp qua hệ thống kết nối: %(name)s") % {"name": client.name}
        intake.submit(
            dossier=dossier,
            actor=None,
            note=note,
            data={"api_client": {"id": client.pk, "name": client.name}},
        )
    return dossier


# --- Reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fees:
    due: int  # đồng still to pay
    paid: int  # đồng paid so far


def fees_of(dossier: Dossier) -> Fees:
    """What is due and paid; nothing to read when the dossier was never charged (every
    payment pays a charge)."""
    if getattr(dossier, "charged", True) is False:
        return Fees(due=0, paid=0)
    paid = Payment.objects.filter(dossier=dossier, status=Payment.Status.PAID).aggregate(
        total=Sum("amount")
    )["total"]
    return Fees(due=outstanding_amount(dossier), paid=int(paid or 0))


def step_name(dossier: Dossier) -> str:
    step = (
        workflow_version(dossier.workflow_id).step(dossier.step_key)
        if dossier.workflow_id and dossier.step_key
        else None
    )
    return str(step.get("name", "")) if step else ""


def timeline_of(dossier: Dossier) -> list[DossierEvent]:
    """The labelled public timeline, the applicant's (no internal notes)."""
    return public_timeline(dossier)


def attachments_of(dossier: Dossier) -> list[Attachment]:
    """The dossier's files (metadata only), in the order they were attached."""
    return list(dossier.attachments.order_by("uploaded_at", "id"))


def documents_of(dossier: Dossier) -> list[IssuedDocument]:
    return list(dossier.documents.order_by("issued_at", "id"))


def document_of(dossier: Dossier, document_id: int) -> IssuedDocument:
    return dossier.documents.get(pk=document_id)


def result_of(dossier: Dossier) -> ResultDocument:
    """The dossier's signed result: the latest one not revoked, else the latest
    (ResultDocument.DoesNotExist while there is none)."""
    results = list(
        ResultDocument.objects.filter(dossier=dossier)
        .select_related("verifiable__revocation")
        .order_by("-issued_at", "-id")
    )
    if not results:
        raise ResultDocument.DoesNotExist
    valid = [r for r in results if not revocation_of(r)]
    return (valid or results)[0]


def revocation_of(result: ResultDocument):
    verifiable = getattr(result, "verifiable", None)
    return verifiable.revocation_or_none if verifiable is not None else None


def record_read(
    *, client: ApiClient, request, dossier: Dossier, kind: str, object_id=None, label=""
) -> None:
    """One access-log record of the client reading `kind` of `dossier` (decision 37)."""
    access_log.record_view(
        actor=None,
        kind=kind,
        dossier=dossier,
        object_id=object_id,
        label=label,
        channel=AccessRecord.Channel.API,
        purpose=AccessRecord.Purpose.HANDLING,
        client_name=client.name,
        request=request,
    )
