"""Administering the proactive services (decision 0086): the rules are data an administrator
edits, checked against the catalogue and the notification channels before they are saved;
what the daily job did (reminders and their items), what falls due and who refused are
read-only records, for auditing.

proactive may not import notifications (the layers), so the installed channels are read
from the channel registry by its name in core.registry: the ids the plugins registered
(@channels.register("sms"), notifications.channels).
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Procedure
from motcua.core.admin import ReadOnlyAdmin
from motcua.core.audit import record_audit
from motcua.core.events import ProactiveRuleChanged
from motcua.core.outbox import publish
from motcua.core.registry import registry_named
from motcua.proactive.models import DueItem, OptOut, Reminder, ReminderItem, ReminderRule

# The portal's notification centre reaches everyone; a rule may still name it.
ALWAYS = "portal"


# The kind notifications.channels gives its registry.
CHANNELS = "Notification channel"


def installed_channels() -> list[str]:
    """The ids of the notification channels installed (settings.NOTIFICATION_CHANNEL_PLUGINS,
    loaded by notifications' ready()), in the order they were registered."""
    registry = registry_named(CHANNELS)
    return registry.ids() if registry is not None else []


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = [
            "name",
            "procedure_code",
            "due",
            "date_field",
            "offsets",
            "channels",
            "offer_code",
            "prepare",
            "recommend",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channels = self.fields["channels"]
        channels.help_text = format_lazy(
            "{} {}",
            channels.help_text,
            _("Các kênh đã cài đặt: %(known)s.") % {"known": ", ".join(installed_channels())},
        )

    def clean_procedure_code(self):
        code = self.cleaned_data["procedure_code"].strip()
        if not Procedure.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("Không có thủ tục mã %(code)s trong danh mục thủ tục."), params={"code": code}
            )
        return code

    def clean_offer_code(self):
        code = self.cleaned_data["offer_code"].strip()
        versions = list(Procedure.objects.in_force().filter(code=code))
        if not versions:
            raise forms.ValidationError(
                _("Không có thủ tục mã %(code)s đang có hiệu lực trong danh mục thủ tục."),
                params={"code": code},
            )
        if not any(p.accepts_online for p in versions):
            raise forms.ValidationError(
                _(
                    "Thủ tục %(code)s chưa nhận hồ sơ trực tuyến: chỉ mời người dân thực hiện "
                    "thủ tục có dịch vụ công trực tuyến."
                ),
                params={"code": code},
            )
        return code

    def clean_channels(self):
        channels = self.cleaned_data.get("channels")
        if channels in (None, ""):
            return []  # an emptied box: the recipient's own choice of channels
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            return channels  # the model's clean() says how to write the list
        known = installed_channels()
        unknown = [c for c in channels if c not in known and c != ALWAYS]
        if unknown:
            raise forms.ValidationError(
                _("Kênh %(unknown)s chưa được cài đặt. Các kênh có thể chọn: %(known)s."),
                params={"unknown": ", ".join(unknown), "known": ", ".join(known)},
            )
        return list(dict.fromkeys(channels))


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    form = ReminderRuleForm
    list_display = [
        "name",
        "procedure_code",
        "due",
        "offsets",
        "offer_code",
        "prepare",
        "recommend",
        "is_active",
        "updated_at",
    ]
    list_filter = ["due", "is_active", "prepare", "recommend"]
    search_fields = ["name", "procedure_code", "offer_code"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (_("Điều gì đến hạn"), {"fields": ["procedure_code", "due", "date_field"]}),
        (_("Nhắc khi nào, qua kênh nào"), {"fields": ["offsets", "channels"]}),
        (_("Đề nghị thực hiện"), {"fields": ["offer_code", "prepare", "recommend"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Reminders point at their rule (PROTECT): an old rule is switched off, not deleted.
        return super().has_delete_permission(request, obj) and not (
            obj is not None and obj.reminders.exists()
        )

    def save_model(self, request, obj, form, change):
        reads_anew = {"procedure_code", "due", "date_field", "is_active"}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit(
                action="proactive.rule_changed" if change else "proactive.rule_added",
                actor=request.user,
                target=str(obj.pk),
                request=request,
                changed=form.changed_data,
            )
            if obj.is_active and (not change or reads_anew & set(form.changed_data)):
                # Due items are written when a result is issued: the results issued before
                # the rule (a form's date, or an installation's results from before its
                # upgrade) are read after commit (many results: not in this request's
                # transaction, and retried if it fails). Reading again doubles nothing.
                publish(ProactiveRuleChanged(rule_id=obj.pk, procedure_code=obj.procedure_code))
                self.message_user(
                    request,
                    _(
                        "Hệ thống đang đọc ngày đến hạn trong các kết quả đã cấp của thủ tục "
                        "%(code)s; lời nhắc cho các kết quả đó bắt đầu từ lần chạy hằng ngày tới."
                    )
                    % {"code": obj.procedure_code},
                    messages.INFO,
                )


class ReminderItemInline(admin.TabularInline):
    model = ReminderItem
    fields = ["item", "due_on", "offset"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """What the daily job told whom, under which rule, and what came of it."""

    list_display = ["uuid", "rule", "holder", "day", "due_on", "dossier", "ready_at", "opened_at"]
    list_filter = ["rule", "day"]
    list_select_related = ["rule", "holder", "dossier"]
    search_fields = ["uuid", "holder__full_name", "holder__email", "items__item__subject"]
    date_hierarchy = "day"
    inlines = [ReminderItemInline]


@admin.register(DueItem)
class DueItemAdmin(ReadOnlyAdmin):
    list_display = ["label", "subject", "holder", "procedure_code", "due", "due_on", "state"]
    list_filter = ["due", "state", "procedure_code"]
    list_select_related = ["holder"]
    search_fields = ["subject", "label"]
    search_help_text = _("Tìm theo biển số xe hoặc tên kết quả.")
    date_hierarchy = "due_on"


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    """Who refused proactive services, since when (Decree 224/2026 art. 17(3))."""

    list_display = ["user", "since"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email", "user__citizen_id", "user__tax_code"]
    date_hierarchy = "since"
