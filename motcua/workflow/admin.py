from django.contrib import admin

from motcua.workflow.models import Task, Workflow


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    """Versions are read here; agency administrators edit workflows at /officer/workflows/,
    which validates them and saves a new version."""

    list_display = ["procedure", "version", "note", "created_at", "created_by"]
    list_select_related = ["procedure", "created_by"]
    search_fields = ["procedure__code", "procedure__name"]
    readonly_fields = ["procedure", "version", "definition", "note", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["dossier", "kind", "unit", "due_at", "state", "escalated_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["dossier", "unit"]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request):
        return False
