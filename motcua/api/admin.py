from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from motcua.api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
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
