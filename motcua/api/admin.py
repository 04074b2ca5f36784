from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from motcua.api import handovers, registration
from motcua.api.models import (
    ApiClient,
    Handover,
    Peer,
    RemoteAgency,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from motcua.core.admin import ReadOnlyAdmin


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Integrators' webhook endpoints, and how many deliveries wait or failed at each (read
    only: the integrator manages them through the API; its secrets are never shown)."""

    list_display = ("id", "url", "client", "is_active", "pending", "failed", "created_at")
    list_filter = ("is_active", "client")
    search_fields = ("url", "client__name")
    fields = ("client", "url", "event_types", "dossier", "description", "is_active")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .annotate(
                pending_count=Count("deliveries", filter=Q(deliveries__state="pending")),
                failed_count=Count("deliveries", filter=Q(deliveries__state="failed")),
            )
        )

    @admin.display(description=_("đang chờ gửi"), ordering="pending_count")
    def pending(self, obj):
        return obj.pending_count

    @admin.display(description=_("gửi không thành công"), ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "error", "duration_ms", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Each event sent to each endpoint, with its tries (replay through the API or
    `webhooks.replay`)."""

    list_display = (
        "id",
        "event_type",
        "subscription",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("subscription__url", "event_type")
    list_select_related = ("subscription",)
    inlines = [WebhookAttemptInline]


"""Liên thông configuration for operators (decision 0071): the peer installations and the
local agencies whose work is done on one of them. Secrets are named, never stored."""


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ("name", "base_url", "client_id", "inbound_client", "is_active")
    list_filter = ("is_active",)
    raw_id_fields = ("inbound_client",)


@admin.register(RemoteAgency)
class RemoteAgencyAdmin(admin.ModelAdmin):
    list_display = ("agency", "peer", "remote_identifier", "service_account")
    raw_id_fields = ("agency",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            handovers.service_account(obj)


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("task", "remote_agency", "state", "remote_code", "sent_at")
    list_filter = ("state",)
    readonly_fields = [f.name for f in Handover._meta.fields]

    def has_add_permission(self, request):
        return False


# --- API clients (decision 0072) ---------------------------------------------------------


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Agency administrators register clients at /officer/api-clients/ (the secret is shown
    there once); here an operator reads them and may change the grant, through the same
    services, so that the audit records it. The secret is never shown: only its hash is kept."""

    list_display = ["name", "agency", "client_id", "rate_limit_per_minute", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["agency", "application"]
    search_fields = ["name", "application__client_id", "agency__name"]
    fields = [
        "name",
        "agency",
        "client_id",
        "secret",
        "scopes",
        "rate_limit_per_minute",
        "is_active",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["agency", "client_id", "secret", "created_by", "created_at"]

    @admin.display(description=_("khóa bí mật"))
    def secret(self, obj):
        return _("Chỉ lưu bản băm; tạo khóa mới ở trang “Hệ thống kết nối” của cơ quan.")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        before = ApiClient.objects.get(pk=obj.pk)
        registration.change_client(
            client=before,
            name=obj.name,
            scopes=obj.scopes,
            rate_limit_per_minute=obj.rate_limit_per_minute,
            actor=request.user,
            request=request,
        )
        registration.set_client_active(
            client=before, active=obj.is_active, actor=request.user, request=request
        )


# --- end of API clients ------------------------------------------------------------------
