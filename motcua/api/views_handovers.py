"""Liên thông between installations: the peer's endpoint that takes a hand-over, the origin's
endpoint its progress comes back to, and the result file on the lead officer's page."""

import json
import uuid

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.decorators import officer_required
from motcua.api import handovers, peers, webhooks
from motcua.api.idempotency import idempotent
from motcua.api.models import Handover, RemoteAgency
from motcua.api.problems import problem
from motcua.api.schema import problems
from motcua.core.files import stored_file
from motcua.core.panels import panels
from motcua.core.retention import file_removed
from motcua.dossiers import access, access_log
from motcua.dossiers.models import AccessRecord

# --- Serializers ---------------------------------------------------------------------------


class OriginSerializer(serializers.Serializer):
    installation = serializers.CharField(max_length=300)
    agency = serializers.CharField(max_length=40)
    agency_name = serializers.CharField(max_length=300)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    request = serializers.CharField(max_length=5000)
    due_at = serializers.DateTimeField()


class SourceDossierSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField(max_length=48)
    procedure_code = serializers.CharField(max_length=40)
    form_data = serializers.JSONField(required=False, default=dict)


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    id_number = serializers.RegexField(r"^[0-9A-Za-z-]{6,14}$")
    phone = serializers.CharField(max_length=15, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class EnvelopeFileSerializer(serializers.Serializer):
    component = serializers.CharField(max_length=500)
    file_name = serializers.CharField(max_length=200)
    content_type = serializers.CharField(max_length=100)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    content = serializers.CharField(help_text=gettext_lazy("Nội dung tệp, mã hóa base64."))


class EnvelopeSerializer(serializers.Serializer):
    version = serializers.ChoiceField(choices=[1])
    origin = OriginSerializer()
    to_agency = serializers.CharField(max_length=40)
    handover = serializers.UUIDField()
    task = TaskSerializer()
    dossier = SourceDossierSerializer()
    applicant = ApplicantSerializer()
    attachments = EnvelopeFileSerializer(many=True, required=False, default=list)
    callback_url = serializers.URLField(max_length=500)


class HandoverAcceptedSerializer(serializers.Serializer):
    dossier = serializers.UUIDField(help_text=gettext_lazy("Mã (uuid) của hồ sơ tại đây."))
    code = serializers.CharField(help_text=gettext_lazy("Mã hồ sơ tại đây."))


class CancelNoticeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["stopped", "withdrawn"],
        help_text=gettext_lazy("Hồ sơ chủ trì đã dừng xử lý, hoặc dừng theo yêu cầu rút."),
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    origin_code = serializers.CharField(max_length=48, allow_blank=True, default="")


class CancelAnswerSerializer(HandoverAcceptedSerializer):
    new = serializers.BooleanField(
        help_text=gettext_lazy("Sai khi thông báo này đã nhận trước đó.")
    )


class CallbackEventSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    created_at = serializers.DateTimeField()
    data = serializers.DictField()


class CallbackAnswerSerializer(serializers.Serializer):
    new = serializers.BooleanField(help_text=gettext_lazy("Sai khi sự kiện này đã nhận trước đó."))


SIGNATURE_HEADERS = [
    OpenApiParameter(name, schema, OpenApiParameter.HEADER, required=True)
    for name, schema in (
        ("webhook-id", {"type": "string", "minLength": 1, "maxLength": 100}),
        ("webhook-timestamp", {"type": "string", "pattern": "^[0-9]{1,12}$"}),
        ("webhook-signature", {"type": "string", "minLength": 1}),
    )
]


def _unsigned(request):
    """A problem when a signature header is missing, else None."""
    missing = [
        h
        for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
        if not request.headers.get(h)
    ]
    if not missing:
        return None
    return problem(
        400,
        _("Thiếu chữ ký (các tiêu đề webhook-id, webhook-timestamp, webhook-signature)."),
        code="invalid",
        errors={h: [_("Bắt buộc.")] for h in missing},
    )


# --- Peer side: taking a hand-over ---------------------------------------------------------


def peer_call_schema(operation_id: str, summary, description, *, request, responses):
    """The schema of a peer installation's signed POST: its headers, token and problems."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=request,
        parameters=SIGNATURE_HEADERS,
        responses={**responses, **problems(400, 401, 403, 409, 413, 415, 429, 503)},
        auth=[{"oauth2": ["handovers:write"]}],
        tags=["handovers"],
    )


class SignedByPeer(APIView):
    """A call of a peer installation: a token of its client (handovers:write) and the body
    signed with the shared key (`peer_or_problem`)."""

    required_scopes = "handovers:write"
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The signature covers the bytes as sent: read them before anything parses them.
        try:
            self.raw_body = request._request.body
        except RequestDataTooBig:
            self.raw_body = None

    def peer_or_problem(self, request):
        """(the calling Peer, None) when the call is signed by it, else (None, a problem)."""
        if self.raw_body is None:
            return None, problem(413, _("Gói liên thông quá lớn."))
        if unsigned := _unsigned(request):
            return None, unsigned
        peer = handovers.peer_of(request.api_client)
        if peer is None:
            return None, problem(
                403, _("Hệ thống gửi chưa được cấu hình là hệ thống liên thông."), code="not-a-peer"
            )
        try:
            key = peers.signing_key(peer)
        except ImproperlyConfigured:  # the operator's to fix
            return None, problem(503, _("Chưa cấu hình khóa ký liên thông."))
        if not webhooks.verify(key, request.headers, self.raw_body):
            return None, problem(
                403, _("Chữ ký của gói liên thông không hợp lệ."), code="bad-signature"
            )
        return peer, None


class HandoverView(SignedByPeer):
    @peer_call_schema(
        "handovers_create",
        gettext_lazy("Nhận hồ sơ liên thông từ một hệ thống MotCua khác"),
        gettext_lazy(
            "Gói liên thông được ký HMAC-SHA256 theo Standard Webhooks bằng khóa chung của hai "
            "hệ thống. Tạo hồ sơ tại cơ quan nhận qua tiếp nhận trực tuyến, kèm các tệp, và "
            "đăng ký gửi tiến độ về địa chỉ callback. Gửi lại cùng gói trả lại hồ sơ đã tạo."
        ),
        request=EnvelopeSerializer,
        responses={
            (201, "application/json"): HandoverAcceptedSerializer,
            (200, "application/json"): HandoverAcceptedSerializer,
            **problems(422),
        },
    )
    @idempotent
    def post(self, request):
        peer, refused = self.peer_or_problem(request)
        if refused is not None:
            return refused
        envelope = EnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        received, created = handovers.receive(
            peer=peer, client=request.api_client, envelope=envelope.validated_data
        )
        body = {"dossier": str(received.dossier.uuid), "code": received.dossier.code}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CancelView(SignedByPeer):
    @peer_call_schema(
        "handovers_cancel",
        gettext_lazy("Nhận thông báo hồ sơ chủ trì đã dừng xử lý"),
        gettext_lazy(
            "Hệ thống gửi báo rằng hồ sơ chủ trì đã dừng xử lý hoặc được rút khi đang chờ kết "
            "quả liên thông. Thông báo được ghi vào nhật ký nội bộ của hồ sơ tại đây (một lần) "
            "để cán bộ xem xét dừng xử lý; hồ sơ không tự dừng."
        ),
        request=CancelNoticeSerializer,
        responses={(200, "application/json"): CancelAnswerSerializer, **problems(404)},
    )
    @idempotent
    def post(self, request, key):
        peer, refused = self.peer_or_problem(request)
        if refused is not None:
            return refused
        notice = CancelNoticeSerializer(data=request.data)
        notice.is_valid(raise_exception=True)
        received, new = handovers.cancel(peer=peer, key=key, notice=notice.validated_data)
        return Response(
            {"dossier": str(received.dossier.uuid), "code": received.dossier.code, "new": new}
        )


# --- Origin side: progress back ------------------------------------------------------------


class CallbackView(APIView):
    parser_classes = [JSONParser]
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="handovers_callback",
        summary=gettext_lazy("Nhận tiến độ hồ sơ liên thông từ hệ thống MotCua khác"),
        description=gettext_lazy(
            "Không dùng mã truy cập: sự kiện được xác thực bằng chữ ký webhook với khóa dẫn "
            "xuất từ khóa chung và mã liên thông. Mỗi webhook-id chỉ được ghi nhận một lần."
        ),
        request=CallbackEventSerializer,
        parameters=SIGNATURE_HEADERS
        + [OpenApiParameter("handover", OpenApiTypes.UUID, OpenApiParameter.QUERY, True)],
        responses={
            (200, "application/json"): CallbackAnswerSerializer,
            **problems(400, 401, 404, 413, 503),
        },
        auth=[],
        tags=["handovers"],
    )
    def post(self, request):
        if unsigned := _unsigned(request):
            return unsigned
        try:
            key = uuid.UUID(request.query_params.get("handover", ""))
        except ValueError:
            return problem(
                400,
                _("Thiếu hoặc sai mã liên thông."),
                errors={"handover": [_("Mã không hợp lệ.")]},
            )
        # An unknown hand-over: DoesNotExist, the foundation's 404 problem.
        handover = Handover.objects.select_related(
            "remote_agency__peer", "remote_agency__agency", "task"
        ).get(key=key)
        try:
            body = request.body
        except RequestDataTooBig:
            return problem(413, _("Nội dung quá lớn."))
        try:
            secret = peers.callback_secret(handover.remote_agency.peer, handover.key)
        except ImproperlyConfigured:
            return problem(503, _("Chưa cấu hình khóa ký liên thông."))
        if not webhooks.verify(secret, request.headers, body):
            return problem(401, _("Chữ ký webhook không hợp lệ."), code="bad-signature")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        event = CallbackEventSerializer(data=payload)
        event.is_valid(raise_exception=True)
        try:
            new = handovers.record_progress(
                handover=handover, webhook_id=request.headers["webhook-id"], payload=payload
            )
        except peers.PeerUnavailable:
            return problem(503, _("Chưa tải được kết quả từ hệ thống liên thông; gửi lại sau."))
        return Response({"new": new})


# --- The lead officer's page: the result that came back ------------------------------------


@panels.register("officer_dossier", order=55)
def results_panel(request, dossier) -> str:
    # Most installations hand nothing over: their pages skip the query (flag cached a minute).
    if not cache.get_or_set("api:lien-thong-configured", RemoteAgency.objects.exists, 60):
        return ""
    done = [
        h
        for h in Handover.objects.filter(task__dossier_id=dossier.pk).select_related(
            "remote_agency__agency"
        )
        if h.result_file
    ]
    if not done:
        return ""
    return render_to_string(
        "api/_handover_results.html",
        {
            "rows": [
                (h, reverse("api-handover-result", args=[h.key]))
                for h in sorted(done, key=lambda h: h.pk)
            ]
        },
        request=request,
    )


@officer_required
def result_file(request, key):
    handover = get_object_or_404(Handover.objects.select_related("task__dossier"), key=key)
    dossier = handover.task.dossier
    if not access.can_view_dossier(request.user, dossier):
        raise Http404
    if dossier.purged_at:
        return file_removed(request, purged_at=dossier.purged_at)
    if not handover.result_file:
        raise Http404
    access_log.record_view(
        actor=request.user,
        kind=AccessRecord.Kind.RESULT,
        dossier=dossier,
        object_id=handover.pk,
        label=handover.result_name,
        request=request,
    )
    return stored_file(
        handover.result_file, content_type="application/pdf", filename=handover.result_name
    )
