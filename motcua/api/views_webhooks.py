"""Webhook subscriptions, their deliveries and replays (scope webhooks:manage).

A client sees and changes only its own subscriptions and their deliveries: anything else
answers 404, as if it did not exist. The rules (which URLs, which events, how deliveries are
tried and replayed) are in motcua.api.webhooks.
"""

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api import webhooks
from motcua.api.conditional import etag_of, not_modified, tagged
from motcua.api.idempotency import idempotent
from motcua.api.models import WebhookDelivery, WebhookSubscription
from motcua.api.problems import Conflict
from motcua.api.schema import IF_NONE_MATCH, NOT_MODIFIED, problems
from motcua.api.serializers_webhooks import (
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEventTypeSerializer,
    WebhookReplayCountSerializer,
    WebhookReplaySinceSerializer,
    WebhookSecretSerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionInputSerializer,
    WebhookSubscriptionPatchSerializer,
    WebhookSubscriptionSerializer,
)

SCOPE = "webhooks:manage"
TAG = ["Webhook"]


def operation(operation_id: str, summary, **details):
    """extend_schema for a webhook operation: its id, Vietnamese summary, and the rest."""
    return extend_schema(tags=TAG, operation_id=operation_id, summary=summary, **details)


def conditional(request, data, etag: str) -> Response:
    """A read of one object: 304 when the client holds `etag`, else `data` tagged."""
    return not_modified(request, etag) or tagged(Response(data), etag)


ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    OpenApiParameter.PATH,
)


def subscriptions_of(client):
    return (
        WebhookSubscription.objects.filter(client=client)
        .select_related("dossier")
        .annotate(
            pending_deliveries=Count(
                "deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)
            ),
            failed_deliveries=Count(
                "deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)
            ),
            last_delivered_at=Max("deliveries__delivered_at"),
        )
    )


def subscription_of(request, pk: int) -> WebhookSubscription:
    return get_object_or_404(subscriptions_of(request.api_client), pk=pk)


def delivery_of(request, pk: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("subscription").prefetch_related("tries"),
        pk=pk,
        subscription__client=request.api_client,
    )


def _subscription_tag(subscription) -> str:
    return etag_of(
        "webhook",
        subscription.pk,
        subscription.url,
        subscription.event_types,
        subscription.description,
        subscription.is_active,
        subscription.pending_deliveries,
        subscription.failed_deliveries,
        subscription.last_delivered_at,
    )


class SubscriptionList(generics.ListAPIView):
    required_scopes = SCOPE
    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        return subscriptions_of(self.request.api_client)

    @operation(
        "webhooks_list",
        gettext_lazy("Các đăng ký webhook của hệ thống"),
        responses={200: WebhookSubscriptionSerializer(many=True), **problems(400, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @operation(
        "webhooks_create",
        gettext_lazy("Đăng ký nhận sự kiện hồ sơ"),
        description=gettext_lazy(
            "Trả về khóa ký (secret) một lần duy nhất: hãy lưu lại ngay. Địa chỉ nhận phải là "
            "https và không trỏ tới mạng nội bộ."
        ),
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionCreatedSerializer, **problems(400, 409)},
    )
    @idempotent
    def post(self, request):
        given = WebhookSubscriptionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        made, secret = webhooks.create_subscription(
            client=request.api_client,
            url=given.validated_data["url"],
            event_types=given.validated_data["event_types"],
            description=given.validated_data.get("description", ""),
        )
        data = WebhookSubscriptionCreatedSerializer(subscription_of(request, made.pk)).data
        response = Response(
            {**data, "secret": secret},
            status=201,
            headers={"Location": f"{request.path}{made.pk}/"},
        )
        response.data_to_replay = {**data, "secret": None}  # shown once, never stored
        return response


class SubscriptionDetail(APIView):
    required_scopes = SCOPE

    @operation(
        "webhooks_retrieve",
        gettext_lazy("Một đăng ký webhook"),
        parameters=[ID, IF_NONE_MATCH],
        responses={200: WebhookSubscriptionSerializer, **NOT_MODIFIED, **problems(404)},
    )
    def get(self, request, pk: int):
        subscription = subscription_of(request, pk)
        etag = _subscription_tag(subscription)
        return conditional(request, WebhookSubscriptionSerializer(subscription).data, etag)

    @operation(
        "webhooks_update",
        gettext_lazy("Sửa đăng ký webhook"),
        parameters=[ID],
        description=gettext_lazy(
            "is_active=false tạm dừng: không tạo lần gửi mới, các lần gửi đang chờ được giữ lại."
        ),
        request=WebhookSubscriptionPatchSerializer,
        responses={200: WebhookSubscriptionSerializer, **problems(400, 404)},
    )
    def patch(self, request, pk: int):
        subscription = subscription_of(request, pk)
        given = WebhookSubscriptionPatchSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        webhooks.update_subscription(subscription=subscription, **given.validated_data)
        subscription = subscription_of(request, pk)
        return tagged(
            Response(WebhookSubscriptionSerializer(subscription).data),
            _subscription_tag(subscription),
        )

    @operation(
        "webhooks_delete",
        gettext_lazy("Hủy đăng ký webhook"),
        parameters=[ID],
        description=gettext_lazy("Xóa cả lịch sử gửi của đăng ký."),
        responses={204: None, **problems(404)},
    )
    def delete(self, request, pk: int):
        subscription_of(request, pk).delete()
        return Response(status=204)


class EventTypes(APIView):
    required_scopes = SCOPE

    @operation(
        "webhooks_event_types",
        gettext_lazy("Các loại sự kiện hồ sơ có thể đăng ký"),
        responses={200: WebhookEventTypeSerializer(many=True), **problems()},
    )
    def get(self, request):
        rows = [
            {"name": name, "description": str(webhooks.EVENT_DESCRIPTIONS.get(name, ""))}
            for name in webhooks.dossier_event_types()
        ]
        return Response(WebhookEventTypeSerializer(rows, many=True).data)


class RotateSecret(APIView):
    required_scopes = SCOPE

    @operation(
        "webhooks_rotate_secret",
        gettext_lazy("Đổi khóa ký"),
        description=gettext_lazy(
            "Khóa mới được hiển thị một lần; khóa cũ vẫn ký song song trong 24 giờ, mỗi lần "
            "gửi mang hai chữ ký."
        ),
        parameters=[ID],
        request=None,
        responses={200: WebhookSecretSerializer, **problems(400, 404, 409)},
    )
    @idempotent
    def post(self, request, pk: int):
        subscription = subscription_of(request, pk)
        new = webhooks.rotate_secret(subscription)
        previous = (
            subscription.secrets.exclude(pk=new.pk)
            .filter(expires_at__gt=new.created_at)
            .aggregate(until=Max("expires_at"))["until"]
        )
        data = WebhookSecretSerializer({"secret": None, "previous_expires_at": previous}).data
        response = Response({**data, "secret": new.secret})
        response.data_to_replay = data  # shown once, never stored
        return response


class SubscriptionDeliveries(generics.ListAPIView):
    required_scopes = SCOPE
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        subscription = subscription_of(self.request, self.kwargs["pk"])
        deliveries = subscription.deliveries.select_related("subscription")
        state = self.request.query_params.get("state")
        if state:
            if state not in WebhookDelivery.State.values:
                raise ValidationError({"state": [_("Trạng thái không hợp lệ.")]})
            deliveries = deliveries.filter(state=state)
        return deliveries

    @operation(
        "webhooks_deliveries",
        gettext_lazy("Các lần gửi của một đăng ký"),
        parameters=[
            ID,
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=WebhookDelivery.State.values,
                description=gettext_lazy("Lọc theo trạng thái."),
            ),
        ],
        responses={200: WebhookDeliverySerializer(many=True), **problems(400, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReplaySince(APIView):
    required_scopes = SCOPE

    @operation(
        "webhooks_replay_since",
        gettext_lazy("Gửi lại mọi sự kiện từ một thời điểm"),
        description=gettext_lazy(
            "Sau khi hệ thống nhận ngừng lâu hơn thời gian thử lại (72 giờ): các lần gửi đã "
            "gửi hoặc thất bại từ since được gửi lại trong vài phút, cũ trước; tối đa 10.000 "
            "mỗi lần gọi."
        ),
        parameters=[
            ID,
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=True,
                description=gettext_lazy("Thời điểm bắt đầu (ISO 8601)."),
            ),
        ],
        request=None,
        responses={202: WebhookReplayCountSerializer, **problems(400, 404, 409)},
    )
    @idempotent
    def post(self, request, pk: int):
        subscription = subscription_of(request, pk)
        given = WebhookReplaySinceSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        count, rest = webhooks.replay_since(
            subscription=subscription, since=given.validated_data["since"]
        )
        return Response(
            WebhookReplayCountSerializer({"replayed": count, "next_since": rest}).data, status=202
        )


class DeliveryDetail(APIView):
    required_scopes = SCOPE

    @operation(
        "webhook_deliveries_retrieve",
        gettext_lazy("Một lần gửi, với các lần thử và nội dung"),
        parameters=[ID, IF_NONE_MATCH],
        responses={200: WebhookDeliveryDetailSerializer, **NOT_MODIFIED, **problems(404)},
    )
    def get(self, request, pk: int):
        delivery = delivery_of(request, pk)
        etag = etag_of(
            "delivery", delivery.pk, delivery.state, delivery.attempts, delivery.next_attempt_at
        )
        return conditional(request, WebhookDeliveryDetailSerializer(delivery).data, etag)


class ReplayDelivery(APIView):
    required_scopes = SCOPE

    @operation(
        "webhook_deliveries_replay",
        gettext_lazy("Gửi lại một lần gửi"),
        description=gettext_lazy(
            "Một lần gửi đã gửi hoặc thất bại được gửi lại ngay, với chữ ký mới."
        ),
        parameters=[ID],
        request=None,
        responses={202: WebhookDeliverySerializer, **problems(400, 404, 409)},
    )
    @idempotent
    def post(self, request, pk: int):
        delivery = delivery_of(request, pk)
        if delivery.state == WebhookDelivery.State.PENDING:
            raise Conflict(_("Lần gửi này đang chờ gửi; hệ thống sẽ tự thử lại."))
        delivery = webhooks.replay(delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=202)
