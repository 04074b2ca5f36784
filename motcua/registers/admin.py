from django.contrib import admin

from motcua.registers.models import Lookup


@admin.register(Lookup)
class LookupAdmin(admin.ModelAdmin):
    """Every question asked of a register, for operators: read only."""

    list_display = (
        "created_at",
        "register",
        "key_masked",
        "purpose_code",
        "requested_by_id",
        "dossier_id",
        "outcome",
        "error_code",
        "duration_ms",
        "reference",
    )
    list_filter = ("register", "outcome", "created_at")
    search_fields = ("=dossier_id", "=requested_by_id", "=reference", "=request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
