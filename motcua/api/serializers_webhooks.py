"""What the webhook endpoints read and answer (docs/api.md, "Webhook")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from motcua.api import webhooks
from motcua.api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

# The schema's pattern is narrower than what is accepted (any https URL Django's validator
# takes), so that whatever a generated client sends by it is accepted.
ENDPOINT_URL_SCHEMA = {
    "type": "string",
    "format": "uri",
    "maxLength": 500,
    "pattern": r"^https://([a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?\.){1,3}[a-z]{2,20}(:[1-9][0-9]{0,3})?(/[!-~]{0,200})?$",
}


@extend_schema_field(ENDPOINT_URL_SCHEMA)
class EndpointUrlField(serializers.URLField):
    pass


class WebhookEventTypeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Tên loại sự kiện, dùng trong event_types."))
    description = serializers.CharField()


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    dossier = serializers.UUIDField(
        source="dossier.uuid",
        read_only=True,
        allow_null=True,
        help_text=_("Chỉ nhận sự kiện của hồ sơ này (liên thông), nếu có."),
    )
    pending_deliveries = serializers.IntegerField(
        read_only=True, help_text=_("Số lần gửi đang chờ (kể cả đang thử lại).")
    )
    failed_deliveries = serializers.IntegerField(
        read_only=True, help_text=_("Số lần gửi đã bỏ cuộc sau 72 giờ; có thể gửi lại.")
    )
    last_delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "event_types",
            "description",
            "is_active",
            "dossier",
            "created_at",
            "pending_deliveries",
            "failed_deliveries",
            "last_delivered_at",
        ]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text=_(
            "Khóa ký, chỉ hiển thị một lần; null khi trả lời lặp lại theo Idempotency-Key."
        ),
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(serializers.Serializer):
    url = EndpointUrlField(max_length=500, help_text=_("Địa chỉ https nhận sự kiện."))
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        min_length=1,
        max_length=50,
        help_text=_('Các loại sự kiện hồ sơ muốn nhận, hoặc ["*"] để nhận tất cả.'),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].child.choices = [
            webhooks.ALL_EVENTS,
            *webhooks.dossier_event_types(),
        ]

    def validate_url(self, value):
        try:
            webhooks.check_url(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate_event_types(self, value):
        if webhooks.ALL_EVENTS in value:
            return [webhooks.ALL_EVENTS]
        return list(dict.fromkeys(value))


class WebhookSubscriptionPatchSerializer(WebhookSubscriptionInputSerializer):
    is_active = serializers.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Khóa ký mới, chỉ hiển thị một lần; null khi trả lời lặp lại theo Idempotency-Key."
        ),
    )
    previous_expires_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Đến lúc này khóa cũ vẫn ký song song với khóa mới.")
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(
        source="payload.id", help_text=_("Mã sự kiện (webhook-id), như evt_123.")
    )
    subscription = serializers.IntegerField(source="subscription_id")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event_id",
            "event_type",
            "state",
            "attempts",
            "last_status_code",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "response_excerpt", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    tries = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(help_text=_("Nội dung đã gửi (thân yêu cầu)."))

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload", "tries"]
        read_only_fields = fields


class WebhookReplaySinceSerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        help_text=_("Gửi lại mọi lần gửi (đã gửi hoặc thất bại) tạo từ lúc này (ISO 8601).")
    )


class WebhookReplayCountSerializer(serializers.Serializer):
    replayed = serializers.IntegerField(help_text=_("Số lần gửi được đưa vào hàng đợi lại."))
    next_since = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "Khi có hơn 10.000 lần gửi: gọi lại với since bằng giá trị này cho phần còn lại."
        ),
    )
