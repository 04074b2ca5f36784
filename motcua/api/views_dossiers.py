"""Dossiers through the API (decision 0069): create a draft for an applicant, attach its
files, submit it; read a dossier, its timeline, documents and signed result.

Each view parses, lets ClientScopes authorise (scope) and motcua.api.dossiers scope the
dossier to the client's agencies (404 otherwise), calls a service, renders. Reads answer 304
to a matching If-None-Match and record the client's reads of personal data.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api import dossiers as services
from motcua.api import serializers_dossiers as s
from motcua.api.conditional import etag_of, not_modified, tagged
from motcua.api.idempotency import idempotent
from motcua.api.problems import CONTENT_TYPE, problem
from motcua.api.schema import IF_NONE_MATCH, NOT_MODIFIED, problems
from motcua.core.files import stored_file
from motcua.documents.render import FORMS
from motcua.dossiers.models import AccessRecord, Dossier
from motcua.dossiers.services import Readiness
from motcua.signing.services import verify_url

Kind = AccessRecord.Kind
TAG = ["dossiers"]


READ_PROBLEMS = problems(400, 401, 403, 404, 429)
WRITE_PROBLEMS = problems(400, 401, 403, 404, 409, 415, 422, 429)


def read_schema(operation_id: str, summary, description="", *, body=None):
    """The schema of a read: `body` with 200 (the PDF when it is None, and then 410 for a
    dossier whose files were purged), 304 to If-None-Match, and the problems."""
    ok = {200: body} if body is not None else {(200, "application/pdf"): OpenApiTypes.BINARY}
    gone = problems(410) if body is None else {}
    return extend_schema(
        tags=TAG,
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[IF_NONE_MATCH],
        responses={**ok, **NOT_MODIFIED, **READ_PROBLEMS, **gone},
    )


class PassThrough(BaseContentNegotiation):
    """File downloads answer PDF whatever the Accept header; their problems are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def readiness_body(readiness: Readiness) -> dict:
    return {
        "ready": readiness.ready,
        "form_errors": readiness.form_errors,
        "missing_components": [{"id": c.pk, "name": c.name} for c in readiness.missing_components],
        "delivery_missing": readiness.delivery_missing,
    }


def dossier_body(dossier: Dossier, readiness: Readiness | None = None) -> dict:
    fees = services.fees_of(dossier)
    step = None
    if dossier.step_key or dossier.current_unit_id:
        step = {
            "key": dossier.step_key,
            "name": services.step_name(dossier),
            "unit_name": dossier.current_unit.name if dossier.current_unit_id else "",
        }
    if readiness is None and dossier.is_draft:
        readiness = services.dossier_readiness(dossier)
    body = {
        "uuid": dossier.uuid,
        "code": dossier.code,
        "status": s.status_of(dossier.status),
        "channel": dossier.channel,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "receiving_agency": dossier.receiving_agency.name,
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "delivery_method": dossier.delivery_method,
        "current_step": step,
        "fees": {"due": fees.due, "paid": fees.paid},
        "readiness": readiness_body(readiness) if readiness is not None else None,
    }
    for name in (
        "created_at",
        "submitted_at",
        "accepted_at",
        "due_at",
        "finished_at",
        "returned_at",
        "updated_at",
    ):
        body[name] = getattr(dossier, name)
    return s.DossierOutput(body).data


def conditional(request, etag: str, build, seen=None):
    """304 when the client holds `etag`; else what `build()` makes, with the tag, and then
    `seen()`: the read on record (a 304 shows nothing, so records nothing)."""
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    response = tagged(build(), etag)
    if seen is not None:
        seen()
    return response


def dossier_tag(dossier: Dossier, part: str) -> str:
    return etag_of(part, dossier.uuid, dossier.version, dossier.updated_at.isoformat())


class OneDossier(APIView):
    """A view of one dossier the client may see (`dossier_uuid` in the path)."""

    required_scopes = "dossiers:read"

    def dossier(self) -> Dossier:
        return services.dossier_for(
            client=self.request.api_client, dossier_uuid=self.kwargs["dossier_uuid"]
        )

    def seen(self, dossier: Dossier, kind: str, *, object_id=None, label=""):
        """What records the client's read of `kind` of `dossier` (for conditional)."""
        return lambda: services.record_read(
            client=self.request.api_client,
            request=self.request,
            dossier=dossier,
            kind=kind,
            object_id=object_id,
            label=label,
        )


def gone():
    return problem(
        410,
        _("Tệp đã được xoá cùng dữ liệu cá nhân khi hết thời hạn lưu trữ."),
        code="file-removed",
    )


# --- The list and creating a draft --------------------------------------------------------------


class DossierList(generics.ListAPIView):
    required_scopes = {"GET": "dossiers:read", "POST": "dossiers:write"}
    parser_classes = [JSONParser]
    serializer_class = s.DossierListItem

    def get_queryset(self):
        filters = s.DossierFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return services.dossiers_of(client=self.request.api_client, **filters.validated_data)

    @extend_schema(
        tags=TAG,
        operation_id="dossiers_list",
        summary=gettext_lazy("Danh sách hồ sơ"),
        description=gettext_lazy(
            "Hồ sơ do cơ quan của hệ thống (và các cơ quan trực thuộc) tiếp nhận, mới nhất "
            "trước, phân trang bằng con trỏ. Bản nháp chỉ có những bản do chính hệ thống tạo. "
            "Danh sách không có dữ liệu cá nhân."
        ),
        parameters=[
            OpenApiParameter(
                "code",
                {"type": "string", "maxLength": 48},
                description=gettext_lazy("Mã hồ sơ."),
            ),
            OpenApiParameter(
                "status",
                OpenApiTypes.INT,
                enum=[int(c) for c, _label in Dossier._meta.get_field("status").choices],
                description=gettext_lazy("Mã trạng thái (0–10)."),
            ),
            OpenApiParameter("submitted_from", OpenApiTypes.DATE),
            OpenApiParameter("submitted_to", OpenApiTypes.DATE),
            IF_NONE_MATCH,
        ],
        responses={200: s.DossierListItem(many=True), **NOT_MODIFIED, **READ_PROBLEMS},
    )
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        etag = etag_of(
            "list",
            request.get_full_path(),
            *[(d.pk, d.version, d.updated_at.isoformat()) for d in page],
        )
        items = [
            {
                "uuid": d.uuid,
                "code": d.code,
                "status": s.status_of(d.status),
                "procedure_code": d.procedure.code,
                "created_at": d.created_at,
                "submitted_at": d.submitted_at,
                "due_at": d.due_at,
                "updated_at": d.updated_at,
            }
            for d in page
        ]
        return conditional(
            request,
            etag,
            lambda: self.get_paginated_response(s.DossierListItem(items, many=True).data),
        )

    @extend_schema(
        tags=TAG,
        operation_id="dossiers_create",
        summary=gettext_lazy("Tạo hồ sơ nháp cho người nộp"),
        description=gettext_lazy(
            "Bước 1: tạo bản nháp của thủ tục cho người nộp (tài khoản được tìm theo số định "
            "danh, hoặc tạo mới như khi tiếp nhận tại quầy). Tờ khai chưa hợp lệ vẫn được lưu; "
            "`readiness` liệt kê lỗi và thành phần còn thiếu."
        ),
        request=s.DossierCreateInput,
        responses={201: s.DossierOutput, **WRITE_PROBLEMS},
    )
    @idempotent
    def post(self, request, *args, **kwargs):
        data = s.DossierCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        dossier, readiness = services.create_dossier(
            client=request.api_client,
            procedure_code=data.validated_data["procedure"],
            person=s.person_of(data.validated_data["applicant"]),
            form_data=data.validated_data.get("form_data"),
            delivery_method=data.validated_data.get("delivery_method", ""),
            postal_address=data.validated_data.get("postal_address", ""),
        )
        dossier = services.dossier_for(client=request.api_client, dossier_uuid=dossier.uuid)
        location = request.build_absolute_uri(reverse("api-dossier", args=[dossier.uuid]))
        return Response(
            dossier_body(dossier, readiness),
            status=201,
            headers={"Location": location, "ETag": dossier_tag(dossier, "dossier")},
        )


# --- Files and submission -----------------------------------------------------------------


class Attachments(OneDossier):
    required_scopes = {"GET": "dossiers:read", "POST": "dossiers:write"}
    parser_classes = [MultiPartParser]

    @read_schema(
        "dossiers_attachments_list",
        gettext_lazy("Các tệp của hồ sơ"),
        gettext_lazy(
            "Thông tin các tệp đã đính kèm (thành phần, tên, kiểu, cỡ, SHA-256), không có nội "
            "dung tệp. Lượt đọc được ghi vào nhật ký truy cập dữ liệu cá nhân."
        ),
        body=s.AttachmentOutput(many=True),
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        files = services.attachments_of(dossier)
        return conditional(
            request,
            etag_of("attachments", dossier.uuid, *((a.pk, a.sha256) for a in files)),
            lambda: Response(s.AttachmentOutput(files, many=True).data),
            self.seen(dossier, Kind.ATTACHMENT, label=_("Danh sách tệp")),
        )

    @extend_schema(
        tags=TAG,
        operation_id="dossiers_attachments_create",
        summary=gettext_lazy("Đính kèm một tệp vào hồ sơ nháp"),
        description=gettext_lazy(
            "Bước 2: một tệp cho một thành phần hồ sơ (multipart: `component`, `file`). Tệp "
            "được kiểm tra theo nội dung, quét mã độc và giới hạn số tệp như trên cổng."
        ),
        request={"multipart/form-data": s.AttachmentInput},
        responses={201: s.AttachmentOutput, **WRITE_PROBLEMS, **problems(413)},
    )
    @idempotent
    def post(self, request, dossier_uuid):
        data = s.AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = services.draft_for(client=request.api_client, dossier_uuid=dossier_uuid)
        attachment = services.add_attachment(
            dossier=dossier,
            component_id=data.validated_data["component"],
            upload=data.validated_data["file"],
        )
        return Response(s.AttachmentOutput(attachment).data, status=201)


class Submit(APIView):
    required_scopes = "dossiers:write"
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAG,
        operation_id="dossiers_submit",
        summary=gettext_lazy("Nộp hồ sơ"),
        description=gettext_lazy(
            "Bước 3: nộp bản nháp đã đầy đủ như nộp trực tuyến: hồ sơ nhận mã, vào hàng chờ "
            "của Bộ phận Một cửa và phí nộp khi nộp hồ sơ (nếu có) được tính. Hồ sơ chưa đầy "
            "đủ: 422 kèm `readiness`. Hồ sơ đã nộp: trả lại hồ sơ."
        ),
        request=None,
        responses={
            200: s.DossierOutput,
            **WRITE_PROBLEMS,
            (422, CONTENT_TYPE): s.IncompleteProblem,
        },
    )
    @idempotent
    def post(self, request, dossier_uuid):
        try:
            dossier = services.submit_dossier(client=request.api_client, dossier_uuid=dossier_uuid)
        except services.Incomplete as incomplete:
            response = problem(422, incomplete.message, code="incomplete")
            response.data["readiness"] = readiness_body(incomplete.readiness)
            return response
        dossier = services.dossier_for(client=request.api_client, dossier_uuid=dossier.uuid)
        return tagged(Response(dossier_body(dossier)), dossier_tag(dossier, "dossier"))


# --- Reads of one dossier -------------------------------------------------------------------


class DossierDetail(OneDossier):
    @read_schema(
        "dossiers_retrieve",
        gettext_lazy("Một hồ sơ"),
        gettext_lazy(
            "Trạng thái, thủ tục, người nộp, các mốc thời gian (nộp, hẹn trả, trả kết quả), "
            "bước và đơn vị đang xử lý, phí phải nộp và đã nộp. Lượt đọc được ghi vào nhật ký "
            "truy cập dữ liệu cá nhân."
        ),
        body=s.DossierOutput,
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        return conditional(
            request,
            dossier_tag(dossier, "dossier"),
            lambda: Response(dossier_body(dossier)),
            self.seen(dossier, Kind.DOSSIER),
        )


class Timeline(OneDossier):
    @read_schema(
        "dossiers_timeline",
        gettext_lazy("Nhật ký xử lý hồ sơ"),
        gettext_lazy(
            "Các sự kiện công khai của hồ sơ, như người nộp thấy (không có ghi chú nội bộ)."
        ),
        body=s.TimelineEventOutput(many=True),
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        return conditional(
            request,
            dossier_tag(dossier, "timeline"),
            lambda: Response(s.TimelineEventOutput(services.timeline_of(dossier), many=True).data),
            self.seen(dossier, Kind.DOSSIER, label=_("Nhật ký xử lý")),
        )


class Documents(OneDossier):
    @read_schema(
        "dossiers_documents",
        gettext_lazy("Giấy tờ đã ban hành"),
        gettext_lazy(
            "Các giấy tờ theo mẫu đã ban hành cho hồ sơ (giấy tiếp nhận, phiếu yêu cầu bổ "
            "sung, …) và địa chỉ tải tệp PDF của chúng."
        ),
        body=s.DocumentOutput(many=True),
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        documents = services.documents_of(dossier)
        return conditional(
            request,
            etag_of("documents", dossier.uuid, *[d.pk for d in documents]),
            lambda: Response(
                s.DocumentOutput(documents, many=True, context={"request": request}).data
            ),
        )


class DocumentFile(OneDossier):
    content_negotiation_class = PassThrough

    @read_schema("dossiers_documents_file", gettext_lazy("Tệp PDF của một giấy tờ"))
    def get(self, request, dossier_uuid, document_id):
        dossier = self.dossier()
        document = services.document_of(dossier, document_id)
        if dossier.purged_at:
            return gone()
        name = f"{FORMS[document.kind].slug}-{dossier.code or document.pk}.pdf"
        return conditional(
            request,
            etag_of("document", document.sha256),
            lambda: stored_file(document.pdf, content_type="application/pdf", filename=name),
            self.seen(
                dossier,
                Kind.DOCUMENT,
                object_id=document.pk,
                label=f"{document.get_kind_display()} {document.number}",
            ),
        )


def result_body(request, result) -> dict:
    verifiable = getattr(result, "verifiable", None)
    revocation = services.revocation_of(result)
    path = reverse("api-dossier-result-file", args=[result.dossier.uuid])
    return s.ResultOutput(
        {
            "id": result.pk,
            "kind": result.kind,
            "title": result.title,
            "number": result.number,
            "issued_at": result.issued_at,
            "signer": result.signer,
            "sha256": result.sha256,
            "verification_code": verifiable.token if verifiable is not None else None,
            "verify_url": verify_url(verifiable.token) if verifiable is not None else None,
            "revoked": revocation is not None,
            "revoked_at": revocation.revoked_at if revocation is not None else None,
            "file_url": request.build_absolute_uri(path),
        }
    ).data


class Result(OneDossier):
    required_scopes = "results:read"

    @read_schema(
        "dossiers_result",
        gettext_lazy("Kết quả giải quyết đã ký số"),
        gettext_lazy(
            "Thông tin của kết quả điện tử: số, ngày ký, chứng thư ký, SHA-256, mã và địa chỉ "
            "xác thực. 404 khi hồ sơ chưa có kết quả."
        ),
        body=s.ResultOutput,
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        result = services.result_of(dossier)
        revocation = services.revocation_of(result)
        return conditional(
            request,
            etag_of("result", result.pk, result.sha256, revocation is not None),
            lambda: Response(result_body(request, result)),
        )


class ResultFile(OneDossier):
    required_scopes = "results:read"
    content_negotiation_class = PassThrough

    @read_schema(
        "dossiers_result_file",
        gettext_lazy("Tệp PDF kết quả đã ký số"),
        gettext_lazy("Đúng tệp người nộp tải về (application/pdf). 404 khi hồ sơ chưa có kết quả."),
    )
    def get(self, request, dossier_uuid):
        dossier = self.dossier()
        result = services.result_of(dossier)
        if dossier.purged_at:
            return gone()
        name = f"ket-qua-{dossier.code or result.pk}-{result.pk}.pdf"
        return conditional(
            request,
            etag_of("result-file", result.sha256),
            lambda: stored_file(result.pdf, content_type="application/pdf", filename=name),
            self.seen(
                dossier, Kind.RESULT, object_id=result.pk, label=f"{result.title} {result.number}"
            ),
        )
