"""Editing notification templates: every save makes a new version (decision 0041), with a
preview rendered from sample data; notifications and deliveries are read-only records."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Max
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.core.admin import ReadOnlyAdmin
from motcua.notifications import rendering
from motcua.notifications.kinds import KINDS
from motcua.notifications.models import Delivery, Notification, NotificationTemplate


def save_new_version(template: NotificationTemplate, *, user=None) -> NotificationTemplate:
    """Save `template`'s wording as the next version of its kind and language; the version
    it was edited from is kept as it was."""
    with transaction.atomic():
        # Two administrators saving at once: the unique (kind, language, version) refuses
        # the second, who saves again.
        latest = NotificationTemplate.objects.filter(
            kind=template.kind, language=template.language
        ).aggregate(v=Max("version"))["v"]
        template.pk = None
        template._state.adding = True
        template.version = (latest or 0) + 1
        template.created_by = user
        template.save()
    return template


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "language", "version", "active", "subject", "created_at")
    list_filter = ("kind", "language", "active")
    readonly_fields = ("version", "allowed_variables", "preview", "created_at", "created_by")
    fields = (
        "kind",
        "language",
        "active",
        "subject",
        "text",
        "html",
        "sms",
        "allowed_variables",
        "preview",
        "version",
        "created_at",
        "created_by",
    )

    def has_delete_permission(self, request, obj=None):
        return False  # sent notifications point at the version they used

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            from django import forms

            return forms.ChoiceField(
                choices=[(k.id, f"{k.id} — {k.label}") for k in KINDS.values()],
                label=db_field.verbose_name,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("Biến được dùng"))
    def allowed_variables(self, obj):
        kind = KINDS.get(obj.kind) if obj and obj.kind else None
        if kind is None:
            return "—"
        return ", ".join(f"{{{{ {v} }}}}" for v in sorted(kind.variables))

    @admin.display(description=_("Xem trước (dữ liệu mẫu)"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        shown = rendering.preview(obj)
        return format_html(
            "<p><strong>{}</strong></p><pre style='white-space:pre-wrap'>{}</pre>"
            "<p>SMS: {}</p><div class='preview-html'>{}</div>",
            shown.subject,
            shown.text,
            shown.sms,
            shown.html,  # escaped: the preview shows the HTML source's output as text
        )

    def save_model(self, request, obj, form, change):
        save_new_version(obj, user=request.user)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = (
        "channel",
        "address",
        "status",
        "attempts",
        "reason",
        "provider_ref",
        "sent_at",
        "delivered_at",
        "failed_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "recipient", "title", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient")
    inlines = [DeliveryInline]
