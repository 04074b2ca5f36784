from django.contrib import admin

from motcua.core.models import OutboxEvent, RejectedCall, RejectedCallSample


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows and never adds, changes or deletes (the audit, the outbox,
    the ledgers)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
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


@admin.register(RejectedCall)
class RejectedCallAdmin(ReadOnlyAdmin):
    """How many payment notifications, returns and postal webhooks were refused, by day."""

    list_display = ("day", "source", "kind", "reason", "count", "last_at")
    list_filter = ("source", "kind", "reason", "day")
    date_hierarchy = "day"


@admin.register(RejectedCallSample)
class RejectedCallSampleAdmin(ReadOnlyAdmin):
    """The most recent refused calls, cut short (REJECTED_CALL_SAMPLES)."""

    list_display = ("at", "source", "kind", "reason", "ip_address")
    list_filter = ("source", "kind", "reason")
    search_fields = ("ip_address",)
