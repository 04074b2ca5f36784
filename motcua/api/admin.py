from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.api import registration
from motcua.api.models import ApiClient

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
