"""Electronic results: generate, sign (PAdES), keep, verify and revoke (DOMAIN.md section 8)."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template import Context, Engine, Template
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.core.audit import record_audit
from motcua.core.dates import DOCUMENT_TIME_ZONE, vietnam_year
from motcua.core.events import ResultIssued, ResultRevoked
from motcua.core.outbox import publish
from motcua.core.qr import qr_data_uri
from motcua.documents.context import agency_context
from motcua.documents.render import (
    FONT_FAMILY,
    Form,
    font_faces,
    html_to_pdf,
)
from motcua.documents.services import allocate_number
from motcua.dossiers import access
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.timeline import record_event
from motcua.results import context as result_context
from motcua.results.models import ResultDocument, ResultTemplate
from motcua.signing import pades
from motcua.signing.models import Revocation, VerifiableDocument, new_token
from motcua.signing.services import verify_url

logger = logging.getLogger(__name__)

# The procedures with their own certificate; any other gets the generic result.
KIND_BY_CODE = {
    "2.002288": ResultDocument.Kind.BADGE,
    "1.002687": ResultDocument.Kind.SHIP,
    "1.003747": ResultDocument.Kind.AIRCRAFT,
}
PAGE_SIZES = {ResultDocument.Kind.BADGE: "A6 landscape"}


class ResultUnavailable(Exception):
    """The result cannot be issued now; the message tells the officer why and what to do."""


class RevocationRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _signer_or_unavailable(agency):
    try:
        return pades.signer_for(agency)
    except pades.SigningUnavailable as exc:
        logger.warning("No signing key for agency %s: %s", agency.identifier, exc)
        raise ResultUnavailable(
            _(
                "Chưa thể ký kết quả: %(agency)s chưa có khóa và chứng thư số trên hệ thống. "
                "Đề nghị quản trị hệ thống cài đặt chứng thư số của cơ quan, rồi phê duyệt lại."
            )
            % {"agency": agency.name}
        ) from exc


def _render(template_names: list[str], context: dict, override: str | None) -> str:
    with translation.override("vi"), timezone.override(DOCUMENT_TIME_ZONE):
        if override:
            engine = Engine.get_default()
            return Template(override, engine=engine).render(Context(context))
        return select_template(template_names).render(context)


def result_kind(procedure) -> str:
    return KIND_BY_CODE.get(procedure.code, ResultDocument.Kind.GENERIC)


# A preview has no number and no verification page yet (decision 0053).
PREVIEW_NUMBER = "…… (cấp khi ký)"
PREVIEW_TOKEN = "xem-truoc"  # noqa: S105 - a placeholder in a preview, not a secret


def _next_number(scope: str, year: int, preview: bool) -> str:
    return PREVIEW_NUMBER if preview else str(allocate_number(scope, year))


def _badges(dossier, agency, issued_at, token, preview=False) -> tuple[list[dict], str]:
    schema = dossier.procedure.form_schema or {}
    badge_type, operator, vehicles = result_context.badge_rows(schema, dossier.form_data)
    operator = operator or dossier.applicant_name or dossier.applicant.display_name
    if not vehicles:
        raise ResultUnavailable(_("Hồ sơ không kê khai xe nào; không có phù hiệu để cấp."))
    with timezone.override(DOCUMENT_TIME_ZONE):
        issued_on = timezone.localdate(issued_at)
    year = issued_on.year
    badges = []
    for index, vehicle in enumerate(vehicles, start=1):
        try:
            valid_until = result_context.badge_valid_until(vehicle["raw"], issued_on)
        except result_context.BadgeRefused as exc:
            raise ResultUnavailable(
                _(
                    "Xe %(plate)s đã hết niên hạn sử dụng hoặc hết thời hạn hợp đồng thuê, "
                    "hợp tác: không cấp được phù hiệu. Trả lại hồ sơ để xử lý trước khi ký."
                )
                % {"plate": exc}
            ) from exc
        number = f"{_next_number(f'badge:agency:{agency.pk}', year, preview)}/{year}/PH"
        badges.append(
            {
                "index": index,
                "number": number,
                "plate": vehicle["plate"],
                "badge_type": badge_type,
                "operator": operator,
                "brand": vehicle["brand"],
                "seats": vehicle["seats"],
                "payload_kg": vehicle["payload_kg"],
                "valid_until": valid_until,
                "qr": qr_data_uri(f"{verify_url(token)}#phu-hieu-{index}"),
            }
        )
    return badges, operator


def _result_context(
    dossier, kind, agency, issued_at, actor, token, preview=False
) -> tuple[dict, dict, str]:
    """(template context, face for verification, number)."""
    schema = dossier.procedure.form_schema or {}
    data = dossier.form_data or {}
    year = vietnam_year(issued_at)
    title = str(ResultDocument.Kind(kind).label)
    if dossier.procedure.code in KIND_BY_CODE and kind != ResultDocument.Kind.BADGE:
        title = {
            ResultDocument.Kind.SHIP: "Giấy chứng nhận đăng ký tàu biển Việt Nam",
            ResultDocument.Kind.AIRCRAFT: "Giấy chứng nhận đăng ký tàu bay mang quốc tịch Việt Nam",
        }.get(kind, title)
    context = {
        "kind": kind,
        "agency": agency_context(agency),
        "issued_at": issued_at,
        "code": dossier.code or "",
        "procedure": {"name": dossier.procedure.name, "code": dossier.procedure.code},
        "applicant": {
            "name": dossier.applicant_name or dossier.applicant.display_name,
            "id_number": dossier.applicant_id_number,
        },
        "signer_name": actor.full_name if actor else "",
        "data": data,
        "sections": result_context.sections(schema, data),
        "verify_url": verify_url(token),
        "verify_qr": qr_data_uri(verify_url(token)),
        "form": Form(title, "", PAGE_SIZES.get(kind, "A4"), kind),
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
    }
    face: dict = {"title": title}
    if kind == ResultDocument.Kind.BADGE:
        badges, operator = _badges(dossier, agency, issued_at, token, preview)
        context["badges"] = badges
        number = badges[0]["number"]
        if len(badges) > 1:
            number = f"{badges[0]['number']} – {badges[-1]['number']}"
        face["operator"] = operator
        face["badges"] = [
            {
                "index": b["index"],
                "number": b["number"],
                "plate": b["plate"],
                "badge_type": b["badge_type"],
                "valid_until": b["valid_until"].strftime("%d/%m/%Y"),
            }
            for b in badges
        ]
    else:
        number = f"{_next_number(f'result:agency:{agency.pk}', year, preview)}/{year}/KQ"
        if kind == ResultDocument.Kind.SHIP:
            context["owner"] = result_context.labelled(schema, data, "owner")
            context["ship"] = result_context.labelled(schema, data, "ship")
            context["origin"] = result_context.labelled(schema, data, "origin")
            face["holder"] = context["owner"].get("name", "")
            face["object"] = context["ship"].get("name", "")
            face["object_id"] = context["ship"].get("imo_number", "")
        elif kind == ResultDocument.Kind.AIRCRAFT:
            context["holder"] = result_context.labelled(schema, data, "applicant")
            context["aircraft"] = result_context.labelled(schema, data, "aircraft")
            face["holder"] = context["holder"].get("name", "")
            face["object"] = context["aircraft"].get("proposed_mark", "")
            face["object_id"] = context["aircraft"].get("serial_number", "")
        else:
            face["holder"] = context["applicant"]["name"]
            face["object"] = dossier.procedure.name
    context["number"] = number
    context["preview"] = preview
    return context, face, number


def _template_names(dossier) -> list[str]:
    return [f"results/pdf/{dossier.procedure.code}.html", "results/pdf/generic.html"]


def _override(dossier) -> str | None:
    return (
        ResultTemplate.objects.filter(procedure=dossier.procedure, is_active=True)
        .values_list("html", flat=True)
        .first()
    )


def preview_result_html(dossier: Dossier, *, actor) -> str:
    """The result approving would sign now, from the same template and data as
    issue_result, marked as a preview, without numbers or anything written (decision 0053).
    Raises ResultUnavailable, with the same message, when it could not be issued."""
    _signer_or_unavailable(dossier.receiving_agency)
    kind = result_kind(dossier.procedure)
    context, _face, _number = _result_context(
        dossier, kind, dossier.receiving_agency, timezone.now(), actor, PREVIEW_TOKEN, True
    )
    return _render(_template_names(dossier), context, _override(dossier))


@transaction.atomic
def issue_result(dossier: Dossier, *, actor, event: DossierEvent | None = None) -> ResultDocument:
    """Generate the dossier's result from its procedure's template, sign it and keep it.

    The template is the administrator's ResultTemplate of the procedure, else the file
    results/pdf/<procedure code>.html, else results/pdf/generic.html. The PDF is signed
    (PAdES B-B) with the receiving agency's key, stored with its SHA-256 and registered for
    public verification. Raises ResultUnavailable (nothing written) when the agency has no
    key or a badge cannot be issued.
    """
    agency = dossier.receiving_agency
    signer = _signer_or_unavailable(agency)
    kind = result_kind(dossier.procedure)
    issued_at = timezone.now()
    token = new_token()
    context, face, number = _result_context(dossier, kind, agency, issued_at, actor, token)
    html = _render(_template_names(dossier), context, _override(dossier))
    pdf = pades.sign_pdf(
        html_to_pdf(html),
        signer,
        reason=f"{face['title']} số {number}",
        location=context["agency"]["place"],
    )
    sha256 = hashlib.sha256(pdf).hexdigest()
    signer_name = pades.signer_name(signer)
    result = ResultDocument(
        dossier=dossier,
        agency=agency,
        kind=kind,
        title=face["title"],
        number=number,
        issued_at=issued_at,
        issued_by=actor,
        event=event,
        data=face,
        sha256=sha256,
        signer=signer_name,
    )
    result.pdf.save("result.pdf", ContentFile(pdf), save=False)
    result.save()
    VerifiableDocument.objects.create(
        token=token,
        sha256=sha256,
        kind=kind,
        title=face["title"],
        number=number,
        issued_at=issued_at,
        agency=agency,
        dossier=dossier,
        result=result,
        signer=signer_name,
        face=face,
    )
    publish(ResultIssued.about(dossier, action="result_issued", actor=actor, result_id=result.pk))
    return result


# ---------------------------------------------------------------------------------------
# Revocation (thu hồi)


def can_revoke(user, dossier: Dossier) -> bool:
    """The receiving agency's leader (người ký) or its administrator."""
    if not user.is_authenticated or getattr(user, "kind", None) != "officer":
        return False
    agency_id = dossier.receiving_agency_id
    return access.is_agency_admin(user, agency_id) or access.is_agency_leader(user, agency_id)


def revoke_result(*, result: ResultDocument, actor, reason: str, request=None) -> Revocation:
    """Withdraw a result: the verification page and uploads say revoked from now on."""
    reason = (reason or "").strip()
    dossier = result.dossier
    if not can_revoke(actor, dossier):
        raise RevocationRefused(
            _("Chỉ lãnh đạo hoặc quản trị của cơ quan tiếp nhận được thu hồi kết quả.")
        )
    if not reason:
        raise RevocationRefused(_("Nhập lý do thu hồi kết quả."))
    try:
        with transaction.atomic():
            document = VerifiableDocument.objects.select_for_update().get(result=result)
            revocation = Revocation.objects.create(
                document=document, revoked_by=actor, reason=reason
            )
            record_event(
                dossier=dossier,
                action="revoke_result",
                actor=actor,
                from_status=dossier.status,
                note=_("Thu hồi %(title)s số %(number)s. Lý do: %(reason)s")
                % {"title": result.title, "number": result.number, "reason": reason},
                data={"result_id": result.pk},
            )
            publish(
                ResultRevoked.about(
                    dossier, action="revoke_result", actor=actor, result_id=result.pk
                )
            )
            record_audit(
                action="result.revoke",
                actor=actor,
                target=f"result:{result.pk}",
                request=request,
                number=result.number,
                dossier=dossier.code or "",
                reason=reason,
            )
    except IntegrityError:
        raise RevocationRefused(_("Kết quả này đã bị thu hồi trước đó.")) from None
    return revocation
