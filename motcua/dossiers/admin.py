from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import AccessRecord


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """The log of views of personal data, searched by dossier code or officer e-mail and
    filtered by unit, content and date (decision 37). Read only: the table is append-only."""

    list_display = ("at", "dossier", "actor", "unit_name", "role", "purpose", "kind", "label")
    list_filter = (
        ("at", admin.DateFieldListFilter),
        "kind",
        "purpose",
        "channel",
        "unit",
    )
    search_fields = ("=dossier__code", "actor__email")
    search_help_text = _("Mã hồ sơ (đủ mã) hoặc thư điện tử của cán bộ.")
    list_select_related = ("dossier", "actor")
    ordering = ("-at", "-id")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
