from django.contrib import admin

from motcua.core.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """What the outbox still has to deliver, and what it gave up on (read only: requeue with
    `manage.py deliver_outbox --retry-failed`)."""

    list_display = (
        "id",
        "name",
        "created_at",
        "pending",
        "attempts",
        "next_attempt_at",
        "failed_at",
    )
    list_filter = ("name", ("failed_at", admin.EmptyFieldListFilter))
    search_fields = ("name",)
    ordering = ("-id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
