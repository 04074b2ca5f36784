from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role
from motcua.core.admin import ReadOnlyAdmin
from motcua.dossiers.models import AccessRecord, choice_label


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """The log of views of personal data, searched by dossier code or officer e-mail and
    filtered by unit, content and date (decision 37). Read only: the table is append-only."""

    list_display = (
        "at",
        "dossier",
        "actor",
        "unit_name",
        "client_name",
        "role_label",
        "purpose",
        "kind",
        "label",
    )
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

    @admin.display(description=_("vai trò"))
    def role_label(self, record):
        return choice_label(Role, record.role) if record.role else ""
