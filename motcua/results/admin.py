from django.contrib import admin

from motcua.results.models import ResultTemplate


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    """The administrator's own result template per procedure (validated on save)."""

    list_display = ("procedure", "is_active", "updated_at")
    list_filter = ("is_active",)
    autocomplete_fields = ("procedure",)
